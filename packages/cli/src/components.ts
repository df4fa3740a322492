// How each process of the embedded cluster is started: its name, package and flags. `up`
// starts them in this order; `down` stops them in reverse.
import { nodeNames, proxyArgs, type ClusterConfig, type Home } from './home.js';
import type { ServingCert, Tokens } from './tokens.js';
import { hostname } from 'node:os';
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';

export interface ComponentSpec {
  name: string; // pid/log file name
  pkg: string; // packages/<pkg>/src/main.ts; "" for etcd
  args: string[];
  /** Flags for node itself, before the component's main module. */
  nodeFlags?: readonly string[];
  needsRoot?: boolean;
}

export function etcdArgs(home: Home, c: ClusterConfig): string[] {
  const client = `http://127.0.0.1:${c.etcdClientPort}`;
  const peer = `http://127.0.0.1:${c.etcdPeerPort}`;
  return [
    '--name', 'k8ts',
    '--data-dir', home.path('etcd'),
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `k8ts=${peer}`,
    '--auto-compaction-mode', 'revision',
    '--auto-compaction-retention', '10000',
    '--logger', 'zap',
  ];
}

export function componentSpecs(home: Home, c: ClusterConfig, t: Tokens, cert: ServingCert): ComponentSpec[] {
  const client = ['--server', `127.0.0.1:${c.grpcPort}`, '--token-file', t.componentTokenPath];
  const ops = (port: number) => ['--ops-port', String(port + c.opsPortOffset)];
  const specs: ComponentSpec[] = [
    {
      name: 'apiserver',
      pkg: 'apiserver',
      nodeFlags: APISERVER_NODE_FLAGS,
      args: [
        '--etcd-servers', `http://127.0.0.1:${c.etcdClientPort}`,
        '--port', String(c.apiPort),
        '--grpc-port', String(c.grpcPort),
        '--token-auth-file', t.csvPath,
        '--tls-cert-file', cert.certPath,
        '--tls-private-key-file', cert.keyPath,
        '--default-toleration-seconds', String(c.defaultTolerationSeconds),
        '--service-cluster-ip-range', c.serviceRange,
        '--load-balancer-pool', c.lbPool,
        '--authorization-mode', 'Node,RBAC',
      ],
    },
    // Leader-elected through their Leases in kube-system: one replica works, the others wait
    // (and take over within the 4 s lease when the leader dies). Replica i>1 has its ops
    // port 10 higher per replica.
    ...replicaNames('scheduler', c).map((name, i) => ({ name, pkg: 'scheduler', args: [...client, ...ops(10259 + 10 * i), '--identity', `${hostname()}_${name}`] })),
    ...replicaNames('controller-manager', c).map((name, i) => ({
      name,
      pkg: 'controller-manager',
      args: [...client, ...ops(10257 + 10 * i), '--node-monitor-grace-period', String(c.nodeMonitorGracePeriod)],
    })),
    { name: 'dns', pkg: 'dns', args: [...client, ...ops(10054), '--listen', `${c.clusterDns}:53`] },
    { name: 'proxy', pkg: 'proxy', needsRoot: true, args: [...client, ...ops(10256), ...proxyArgs(c), '--cleanup-on-exit', '--node-name', nodeNames(c)[0] ?? `${c.nodePrefix}-1`] },
  ];
  for (const [i, node] of nodeNames(c).entries()) {
    specs.push({
      name: node,
      pkg: 'agent',
      args: [
        ...client,
        '--node-name', node,
        ...ops(10251 + i),
        '--network', c.network,
        '--subnet', c.subnet,
        '--ip-range', c.ipRange,
        '--gateway', c.gateway,
        '--cluster-dns', c.clusterDns,
        '--state-dir', home.path('agents', node),
      ],
    });
  }
  return specs;
}

/** scheduler-1..N (N = controlPlaneReplicas). */
export function replicaNames(component: string, c: ClusterConfig): string[] {
  return Array.from({ length: Math.max(1, c.controlPlaneReplicas) }, (_, i) => `${component}-${i + 1}`);
}
