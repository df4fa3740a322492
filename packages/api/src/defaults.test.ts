import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, defaultPodTolerations, defaultPullPolicy, podQOSClass, prepareForCreate } from './defaults.js';

test('pod defaults', () => {
  const pod: any = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'a',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { port: 80 } },
          resources: { limits: { cpu: '1', memory: '64Mi' } },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        },
        { name: 'b', image: 'busybox' },
      ],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 'x' } }],
    },
  };
  applyDefaults('pods', pod);
  assert.equal(pod.apiVersion, 'v1');
  assert.equal(pod.kind, 'Pod');
  const s = pod.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.enableServiceLinks, true);
  assert.deepEqual(s.securityContext, {});
  const [a, b] = s.containers;
  assert.equal(a.imagePullPolicy, 'IfNotPresent');
  assert.equal(b.imagePullPolicy, 'Always');
  assert.equal(a.terminationMessagePath, '/dev/termination-log');
  assert.equal(a.terminationMessagePolicy, 'File');
  assert.equal(a.ports[0].protocol, 'TCP');
  assert.deepEqual(a.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(a.resources.requests, { cpu: '1', memory: '64Mi' }, 'requests default to limits');
  assert.deepEqual(b.resources, {});
  assert.equal(a.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(s.volumes[0], { name: 'v', emptyDir: {} });
  assert.equal(s.volumes[1].secret.defaultMode, 420);
  // Idempotent.
  const again = structuredClone(pod);
  applyDefaults('pods', again);
  assert.deepEqual(again, pod);
});

test('pull policy from the image reference', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.2'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/app:v1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('app@sha256:abcd'), 'IfNotPresent');
});

test('service defaults', () => {
  const svc: any = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } };
  applyDefaults('services', svc);
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 80 });
  assert.equal(svc.spec.ports[1].targetPort, 'dns');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  const headless: any = { metadata: { name: 'h' }, spec: { clusterIP: 'None' } };
  applyDefaults('services', headless);
  assert.equal(headless.spec.ipFamilyPolicy, 'RequireDualStack');
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  const ext: any = { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  applyDefaults('services', ext);
  assert.equal(ext.spec.ipFamilies, undefined);
});

test('deployment, replicaset, daemonset defaults', () => {
  const d: any = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } } };
  applyDefaults('deployments', d);
  assert.equal(d.apiVersion, 'apps/v1');
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  const zero: any = { metadata: { name: 'd' }, spec: { replicas: 0, strategy: { type: 'Recreate' } } };
  applyDefaults('deployments', zero);
  assert.equal(zero.spec.replicas, 0);
  assert.deepEqual(zero.spec.strategy, { type: 'Recreate' });
  const rs: any = { metadata: { name: 'r' }, spec: {} };
  applyDefaults('replicasets', rs);
  assert.equal(rs.spec.replicas, 1);
  const ds: any = { metadata: { name: 'ds' }, spec: {} };
  applyDefaults('daemonsets', ds);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
});

test('job and cronjob defaults; job selector generated from the uid', () => {
  const j: any = { metadata: { name: 'j', uid: 'u-1' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } } };
  applyDefaults('jobs', j);
  assert.equal(j.spec.completions, 1);
  assert.equal(j.spec.parallelism, 1);
  assert.equal(j.spec.backoffLimit, 6);
  assert.equal(j.spec.completionMode, 'NonIndexed');
  assert.equal(j.spec.suspend, false);
  assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.equal(j.spec.template.metadata.labels['job-name'], 'j');
  const par: any = { metadata: { name: 'j' }, spec: { parallelism: 3 } };
  applyDefaults('jobs', par);
  assert.equal(par.spec.completions, undefined, 'work-queue jobs keep completions unset');
  const cj: any = { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } };
  applyDefaults('cronjobs', cj);
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, 6);
});

test('namespace, secret, node defaults', () => {
  const ns: any = { metadata: { name: 'team' } };
  applyDefaults('namespaces', ns);
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.status.phase, 'Active');
  assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
  const sec: any = { metadata: { name: 's' } };
  applyDefaults('secrets', sec);
  assert.equal(sec.type, 'Opaque');
  const sd: any = { metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'hello', c: 'x' } };
  applyDefaults('secrets', sd);
  assert.deepEqual(sd.data, { a: 'eA==', b: 'aGVsbG8=', c: 'eA==' });
  assert.equal('stringData' in sd, false);
  const node: any = { metadata: { name: 'n' }, status: { capacity: { cpu: '2' } } };
  applyDefaults('nodes', node);
  assert.deepEqual(node.status.allocatable, { cpu: '2' });
  assert.equal(node.kind, 'Node');
});

test('default tolerations for not-ready / unreachable', () => {
  const pod: any = { spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] } };
  defaultPodTolerations(pod, 30);
  assert.deepEqual(pod.spec.tolerations, [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
  ]);
  const all: any = { spec: { tolerations: [{ operator: 'Exists' }] } };
  defaultPodTolerations(all, 30);
  assert.equal(all.spec.tolerations.length, 1, 'a tolerate-everything pod gets nothing added');
  const none: any = { spec: {} };
  defaultPodTolerations(none, 300);
  assert.equal(none.spec.tolerations.length, 2);
});

test('QoS class and prepareForCreate', () => {
  const g = { spec: { containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } } }] } };
  assert.equal(podQOSClass(g), 'Guaranteed');
  assert.equal(podQOSClass({ spec: { containers: [{ resources: { requests: { cpu: '1' } } }] } }), 'Burstable');
  assert.equal(podQOSClass({ spec: { containers: [{}] } }), 'BestEffort');
  const pod: any = { metadata: { name: 'p' }, spec: { containers: [{}] }, status: { phase: 'Running' } };
  prepareForCreate('pods', pod);
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  const d: any = { metadata: { name: 'd' }, status: { replicas: 3 } };
  prepareForCreate('deployments', d);
  assert.deepEqual(d.status, {});
});
