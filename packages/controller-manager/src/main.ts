// k8ts controller-manager process: node --conditions=k8ts-dist packages/controller-manager/dist/main.js [flags]
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import { readFileSync } from 'node:fs';
import { runComponent } from '@k8ts/client';
import { startControllerManager, CONTROLLER_NAMES, type RunningControllerManager } from './index.js';
import { parseDuration as ms } from '@k8ts/api';
import { newCidrSet, type NodeIpamOptions } from './nodeipam/controller.js';

interface ControllerManagerFlags {
  controllers: string;
  leaderElect: string;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  nodeMonitorGracePeriod: string;
  nodeMonitorPeriod: string;
  nodeDisconnectGracePeriod: string;
  nodeEvictionRate: string;
  secondaryNodeEvictionRate: string;
  unhealthyZoneThreshold: string;
  concurrentSyncs: string;
  kubeApiQps: string;
  kubeApiBurst: string;
  rootCaFile?: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  clusterSigningDuration: string;
  horizontalPodAutoscalerSyncPeriod: string;
  horizontalPodAutoscalerDownscaleStabilization: string;
  horizontalPodAutoscalerTolerance: string;
  horizontalPodAutoscalerCpuInitializationPeriod: string;
  horizontalPodAutoscalerInitialReadinessDelay: string;
  allocateNodeCidrs: string | boolean;
  clusterCidr?: string;
  nodeCidrMaskSize: string;
  serviceClusterIpRange?: string;
}

await runComponent<ControllerManagerFlags, RunningControllerManager>({
  name: 'controller-manager',
  command: 'k8ts-controller-manager',
  description: 'Runs the cluster controllers (replica sets, deployments, endpoints, nodes, GC, namespaces, daemon sets, jobs, cron jobs, horizontal pod autoscalers)',
  opsPort: 10257,
  flags: (cmd) =>
    cmd
      .option('--controllers <list>', `controllers to run: * for all, -name to leave one out (${CONTROLLER_NAMES.join(', ')})`, '*')
      .option('--leader-elect <bool>', 'run only while holding the Lease kube-system/k8ts-controller-manager', 'true')
      .option('--leader-elect-lease-duration <duration>', 'lease duration (4s, 500ms; a bare number is seconds)', '4s')
      .option('--leader-elect-renew-deadline <duration>', 'give up leadership after failing to renew this long', '3s')
      .option('--leader-elect-retry-period <duration>', 'how often to try to acquire or renew', '1s')
      .option('--node-monitor-grace-period <duration>', 'a node whose lease is older than this becomes Ready=Unknown and tainted', '4s')
      .option('--node-monitor-period <duration>', 'how often node health is checked', '250ms')
      .option('--node-disconnect-grace-period <duration>', "a node whose agent's stream to the apiserver ended and that has not renewed its lease since becomes Ready=Unknown after this (0: lease age alone)", '1s')
      .option('--node-eviction-rate <n>', 'nodes tainted and pods evicted per second', '10')
      .option('--secondary-node-eviction-rate <n>', 'the same when most nodes look unhealthy (partial disruption)', '0.01')
      .option('--unhealthy-zone-threshold <f>', 'fraction of unhealthy nodes that means partial disruption', '0.55')
      .option('--concurrent-syncs <n>', 'workers per controller', '5')
      // kube-controller-manager: 20/30; k8ts heals and scales faster, still bounded
      .option('--kube-api-qps <n>', 'requests per second to the apiserver (client-side limit)', '100')
      .option('--kube-api-burst <n>', 'requests allowed at once above that rate', '200')
      .option('--root-ca-file <path>', 'CA bundle (PEM) published to every namespace as the kube-root-ca.crt ConfigMap')
      .option('--cluster-signing-cert-file <path>', 'PEM CA certificate csrsigning issues kubelet and kube-apiserver client certificates with')
      .option('--cluster-signing-key-file <path>', 'the PEM RSA private key of --cluster-signing-cert-file')
      .option('--cluster-signing-duration <duration>', 'the longest validity of a signed certificate', '8760h')
      .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HorizontalPodAutoscaler is reconciled', '15s')
      .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'the scale-down stabilization window of HPAs that set none', '5m')
      .option('--horizontal-pod-autoscaler-tolerance <f>', 'the ratio of current to target metric within which an HPA does not scale', '0.1')
      .option('--horizontal-pod-autoscaler-cpu-initialization-period <duration>', 'after a pod starts, CPU samples count only once it is ready for a full window', '5m')
      .option('--horizontal-pod-autoscaler-initial-readiness-delay <duration>', 'after a pod starts, readiness changes in this time count as its first readiness', '30s')
      .option('--allocate-node-cidrs [bool]', 'nodeipam: give each Node a spec.podCIDR from --cluster-cidr', false)
      .option('--cluster-cidr <cidr>', 'the range of pod addresses the node ranges are cut from')
      .option('--node-cidr-mask-size <n>', 'the prefix length of each node\'s range', '24')
      .option('--service-cluster-ip-range <cidr>', 'Service ClusterIPs: node ranges overlapping it are never handed out'),
  start: async ({ opts: o, log, server, token, ops, fail }) => {
    const nodeIpam: NodeIpamOptions = {
      allocateNodeCidrs: o.allocateNodeCidrs === true || o.allocateNodeCidrs === 'true',
      clusterCidr: o.clusterCidr,
      nodeCidrMaskSize: Number(o.nodeCidrMaskSize),
      serviceCidr: o.serviceClusterIpRange,
    };
    if (nodeIpam.allocateNodeCidrs) {
      try {
        newCidrSet(nodeIpam);
      } catch (e) {
        return fail((e as Error).message);
      }
    }
    const cm = await startControllerManager({
      server,
      token,
      ops,
      controllers: String(o.controllers).split(','),
      leaderElect: o.leaderElect !== 'false',
      leaseDurationMs: ms(o.leaderElectLeaseDuration),
      renewDeadlineMs: ms(o.leaderElectRenewDeadline),
      retryPeriodMs: ms(o.leaderElectRetryPeriod),
      concurrentSyncs: Number(o.concurrentSyncs),
      kubeApiQps: Number(o.kubeApiQps),
      kubeApiBurst: Number(o.kubeApiBurst),
      controllerOptions: {
        nodeMonitorGracePeriodMs: ms(o.nodeMonitorGracePeriod),
        nodeMonitorPeriodMs: ms(o.nodeMonitorPeriod),
        nodeDisconnectGracePeriodMs: ms(o.nodeDisconnectGracePeriod),
        evictionRate: Number(o.nodeEvictionRate),
        secondaryEvictionRate: Number(o.secondaryNodeEvictionRate),
        unhealthyZoneThreshold: Number(o.unhealthyZoneThreshold),
        rootCA: o.rootCaFile ? readFileSync(o.rootCaFile, 'utf8') : undefined,
        clusterSigningCertFile: o.clusterSigningCertFile,
        clusterSigningKeyFile: o.clusterSigningKeyFile,
        clusterSigningDurationSeconds: Math.floor(ms(o.clusterSigningDuration) / 1000),
        hpa: {
          syncPeriodMs: ms(o.horizontalPodAutoscalerSyncPeriod),
          downscaleStabilizationMs: ms(o.horizontalPodAutoscalerDownscaleStabilization),
          tolerance: Number(o.horizontalPodAutoscalerTolerance),
          cpuInitializationPeriodMs: ms(o.horizontalPodAutoscalerCpuInitializationPeriod),
          initialReadinessDelayMs: ms(o.horizontalPodAutoscalerInitialReadinessDelay),
        },
        nodeIpam,
      },
    });
    log.info({ opsPort: cm.opsPort, controllers: cm.manager.names, identity: cm.manager.identity }, 'controller-manager started');
    return cm;
  },
  startFailed: (err, log) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'controller-manager failed to start');
    return 1;
  },
});
