// Every controller this manager runs, wired to the shared informers.
import type { StatefulSet, Deployment, Endpoints, EndpointSlice, Lease, Namespace, Node, Pod, ReplicaSet, Service } from '@k8ts/api';
import { on, type ControllerDefinition } from './framework/wiring.js';
import { followCustomResources } from './framework/custom-resources.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceMirroringController } from './endpointslicemirroring/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { NodeIpamController, newCidrSet } from './nodeipam/controller.js';
import { GarbageCollector, GCResources } from './garbagecollector/controller.js';
import { NamespaceController } from './namespace/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { JobController } from './job/controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { CronJobController } from './cronjob/controller.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { RootCAPublisher } from './serviceaccount/root-ca-publisher.js';
import { CERTIFICATE_CONTROLLERS } from './certificates/wiring.js';
import { ClusterRoleAggregationController } from './clusterroleaggregation/controller.js';
import { DisruptionController } from './disruption/controller.js';
import { QUOTA_INFORMED, ResourceQuotaController } from './resourcequota/controller.js';
import { VOLUME_CONTROLLERS } from './volume/wiring.js';
import { HorizontalController, defaultHpaOptions } from './podautoscaler/controller.js';
import { ApiMetricsSource } from './podautoscaler/metrics-client.js';

export const CONTROLLERS: ControllerDefinition[] = [
  {
    name: 'replicaset',
    component: 'replicaset-controller',
    build(w) {
      const c = new ReplicaSetController(w.ctx, { replicasets: w.lister<ReplicaSet>('replicasets'), pods: w.lister<Pod>('pods') }, w.queue);
      on(w.informer<ReplicaSet>('replicasets'), { add: c.addReplicaSet, update: c.updateReplicaSet, delete: c.deleteReplicaSet });
      on(w.informer<Pod>('pods'), { add: c.addPod, update: c.updatePod, delete: c.deletePod });
      return c;
    },
  },
  {
    name: 'deployment',
    component: 'deployment-controller',
    build(w) {
      const c = new DeploymentController(
        w.ctx,
        { deployments: w.lister<Deployment>('deployments'), replicasets: w.lister<ReplicaSet>('replicasets'), pods: w.lister<Pod>('pods') },
        w.queue,
      );
      on(w.informer<Deployment>('deployments'), { add: c.addDeployment, update: c.updateDeployment, delete: c.deleteDeployment });
      on(w.informer<ReplicaSet>('replicasets'), { add: c.addReplicaSet, update: c.updateReplicaSet, delete: c.deleteReplicaSet });
      on(w.informer<Pod>('pods'), { delete: c.deletePod });
      return c;
    },
  },
  {
    name: 'endpoints',
    component: 'endpoint-controller',
    build(w) {
      const c = new EndpointsController(
        w.ctx,
        { services: w.lister<Service>('services'), pods: w.lister<Pod>('pods'), endpoints: w.lister<Endpoints>('endpoints'), endpointslices: w.lister<EndpointSlice>('endpointslices') },
        w.queue,
      );
      on(w.informer<Service>('services'), { add: c.onService, update: c.updateService, delete: c.deleteService });
      on(w.informer<Pod>('pods'), { add: c.addPod, update: c.updatePod, delete: c.deletePod });
      on(w.informer<Endpoints>('endpoints'), { update: (_o, n) => c.onEndpoints(n), delete: c.onEndpoints });
      on(w.informer<EndpointSlice>('endpointslices'), { update: (_o, n) => c.onSlice(n), delete: c.onSlice });
      return c;
    },
  },
  {
    name: 'endpointslicemirroring',
    component: 'endpointslicemirroring-controller',
    build(w) {
      const c = new EndpointSliceMirroringController(
        w.ctx,
        { services: w.lister<Service>('services'), endpoints: w.lister<Endpoints>('endpoints'), endpointslices: w.lister<EndpointSlice>('endpointslices') },
        w.queue,
      );
      on(w.informer<Endpoints>('endpoints'), { add: c.onEndpoints, update: c.updateEndpoints, delete: c.onEndpoints });
      on(w.informer<Service>('services'), { add: c.onService, update: c.updateService, delete: c.onService });
      on(w.informer<EndpointSlice>('endpointslices'), { add: c.onSlice, update: c.updateSlice, delete: c.onSlice });
      return c;
    },
  },
  {
    name: 'nodelifecycle',
    component: 'node-controller',
    build(w) {
      const c = new NodeLifecycleController(w.ctx, { nodes: w.lister<Node>('nodes'), leases: w.lister<Lease>('leases'), pods: w.lister<Pod>('pods') }, w.queue);
      on(w.informer<Node>('nodes'), { add: c.onNode, update: c.updateNode, delete: c.deleteNode });
      on(w.informer<Pod>('pods'), { add: c.onPod, update: c.updatePod, delete: c.deletePod });
      return c;
    },
  },
  {
    name: 'nodeipam',
    component: 'cidrAllocator',
    build(w) {
      const o = w.ctx.options.nodeIpam;
      // kube-controller-manager: "--allocate-node-cidrs is false", the controller does not start.
      if (!o?.allocateNodeCidrs) return { sync: async () => undefined };
      const c = new NodeIpamController(w.ctx, { nodes: w.lister<Node>('nodes') }, w.queue, newCidrSet(o), o.serviceCidr);
      on(w.informer<Node>('nodes'), { add: c.onNode, update: c.updateNode, delete: c.deleteNode });
      return c;
    },
  },
  {
    name: 'garbagecollector',
    component: 'garbage-collector-controller',
    build(w) {
      const listers = Object.fromEntries(GCResources.map((r) => [r, w.lister(r)]));
      const gc = new GarbageCollector(w.ctx, listers, w.queue);
      const follow = (r: string) => {
        const h = gc.handlersFor(r);
        on(w.informer(r), { add: h.add, update: h.update, delete: h.delete });
      };
      for (const r of GCResources) follow(r);
      // Custom objects own and are owned like any other: informed of as their CRDs appear.
      followCustomResources(w, (info) => {
        listers[info.resource] = w.lister(info.resource);
        follow(info.resource);
      });
      return { sync: (k) => gc.sync(k), start: () => gc.resync() };
    },
  },
  {
    name: 'namespace',
    component: 'namespace-controller',
    build(w) {
      const c = new NamespaceController(w.ctx, { namespaces: w.lister<Namespace>('namespaces') }, w.queue);
      followCustomResources(w);
      on(w.informer<Namespace>('namespaces'), { add: c.onNamespace, update: c.updateNamespace });
      return c;
    },
  },
  {
    name: 'daemonset',
    component: 'daemonset-controller',
    build(w) {
      const c = new DaemonSetController(w.ctx, { daemonsets: w.lister('daemonsets'), pods: w.lister<Pod>('pods'), nodes: w.lister<Node>('nodes') }, w.queue);
      on(w.informer('daemonsets'), { add: c.onDaemonSet, update: (_o, n) => c.onDaemonSet(n), delete: c.deleteDaemonSet });
      on(w.informer<Pod>('pods'), { add: c.onPod, update: c.updatePod, delete: c.deletePod });
      on(w.informer<Node>('nodes'), { add: c.onNode, update: (_o, n) => c.onNode(n), delete: c.onNode });
      return c;
    },
  },
  {
    name: 'statefulset',
    component: 'statefulset-controller',
    build(w) {
      const c = new StatefulSetController(
        w.ctx,
        { statefulsets: w.lister('statefulsets'), pods: w.lister<Pod>('pods'), controllerrevisions: w.lister('controllerrevisions'), persistentvolumeclaims: w.lister('persistentvolumeclaims') },
        w.queue,
      );
      on(w.informer<StatefulSet>('statefulsets'), { add: c.onStatefulSet, update: c.updateStatefulSet, delete: c.deleteStatefulSet });
      on(w.informer<Pod>('pods'), { add: c.addPod, update: c.updatePod, delete: c.deletePod });
      // Read from their caches only: the set's own syncs follow its pods.
      w.informer('controllerrevisions');
      w.informer('persistentvolumeclaims');
      return c;
    },
  },
  {
    name: 'job',
    component: 'job-controller',
    build(w) {
      const c = new JobController(w.ctx, { jobs: w.lister('jobs'), pods: w.lister<Pod>('pods') }, w.queue);
      on(w.informer('jobs'), { add: c.onJob, update: (_o, n) => c.onJob(n), delete: c.deleteJob });
      on(w.informer<Pod>('pods'), { add: c.onPod, update: c.updatePod, delete: c.deletePod });
      return c;
    },
  },
  {
    name: 'cronjob',
    component: 'cronjob-controller',
    build(w) {
      const c = new CronJobController(w.ctx, { cronjobs: w.lister('cronjobs'), jobs: w.lister('jobs') }, w.queue);
      on(w.informer('cronjobs'), { add: c.onCronJob, update: (_o, n) => c.onCronJob(n), delete: c.deleteCronJob });
      on(w.informer('jobs'), { add: c.onJob, update: (_o, n) => c.onJob(n), delete: c.onJob });
      return c;
    },
  },
  {
    name: 'serviceaccount',
    component: 'service-account-controller',
    build(w) {
      const c = new ServiceAccountsController(w.ctx, { namespaces: w.lister<Namespace>('namespaces'), serviceaccounts: w.lister('serviceaccounts') }, w.queue);
      on(w.informer<Namespace>('namespaces'), { add: c.onNamespace, update: c.updateNamespace });
      on(w.informer('serviceaccounts'), { delete: c.deleteServiceAccount });
      return c;
    },
  },
  {
    name: 'root-ca-cert-publisher',
    component: 'root-ca-cert-publisher',
    build(w) {
      const c = new RootCAPublisher(w.ctx, { namespaces: w.lister<Namespace>('namespaces'), configmaps: w.lister('configmaps') }, w.queue, w.ctx.options.rootCA);
      on(w.informer<Namespace>('namespaces'), { add: c.onNamespace, update: c.updateNamespace });
      on(w.informer('configmaps'), { update: c.updateConfigMap, delete: c.onConfigMap });
      return c;
    },
  },
  {
    name: 'horizontalpodautoscaling',
    component: 'horizontal-pod-autoscaler',
    build(w) {
      const options = { ...defaultHpaOptions, ...w.ctx.options.hpa };
      const c = new HorizontalController(w.ctx, { hpas: w.lister('horizontalpodautoscalers'), pods: w.lister<Pod>('pods') }, w.queue, new ApiMetricsSource(w.ctx.client), options);
      on(w.informer('horizontalpodautoscalers'), { add: c.onHpa, update: c.updateHpa, delete: c.deleteHpa });
      return c;
    },
  },
  {
    name: 'disruption',
    component: 'controllermanager',
    build(w) {
      const c = new DisruptionController(
        w.ctx,
        {
          pdbs: w.lister('poddisruptionbudgets'),
          pods: w.lister<Pod>('pods'),
          replicasets: w.lister<ReplicaSet>('replicasets'),
          deployments: w.lister<Deployment>('deployments'),
          getScale: (resource, ns, name) => w.ctx.client.get(resource, ns, name, 'scale'),
        },
        w.queue,
      );
      on(w.informer('poddisruptionbudgets'), { add: c.onPdb, update: c.updatePdb });
      on(w.informer<Pod>('pods'), { add: c.onPod, update: c.updatePod, delete: c.deletePod });
      return c;
    },
  },
  {
    name: 'resourcequota',
    component: 'resourcequota-controller',
    build(w) {
      const listers = Object.fromEntries(QUOTA_INFORMED.map((r) => [r, w.lister(r)]));
      const c = new ResourceQuotaController(w.ctx, { ...listers, resourcequotas: w.lister('resourcequotas') }, w.queue);
      on(w.informer('resourcequotas'), { add: c.onQuota, update: c.updateQuota });
      for (const r of QUOTA_INFORMED) if (r !== 'resourcequotas') on(w.informer(r), { delete: c.deleteObject, ...(r === 'pods' ? { update: c.updatePod } : {}) });
      on(w.informer('resourcequotas'), { delete: c.deleteObject });
      return c;
    },
  },
  ...CERTIFICATE_CONTROLLERS,
  {
    name: 'clusterrole-aggregation',
    component: 'clusterrole-aggregation-controller',
    build(w) {
      const c = new ClusterRoleAggregationController(w.ctx, { clusterroles: w.lister('clusterroles') }, w.queue);
      on(w.informer('clusterroles'), { add: c.onClusterRole, update: c.onClusterRole, delete: c.onClusterRole });
      return c;
    },
  },
  ...VOLUME_CONTROLLERS,
];

export const CONTROLLER_NAMES = CONTROLLERS.map((c) => c.name);
