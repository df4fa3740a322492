// Where `k8ts up` keeps a cluster: state, logs, tokens, pids and the kubeconfig, all under
// $K8TS_HOME (default ~/.k8ts), so `down` and `status` know what `up` started.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { AGENT_DEFAULTS } from '@k8ts/agent';

export interface ClusterConfig {
  agents: number;
  /** Nodes are <nodePrefix>-1..N; `down` removes only the containers of these nodes. */
  nodePrefix: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiPort: number;
  grpcPort: number;
  network: string;
  subnet: string;
  ipRange: string;
  gateway: string;
  serviceRange: string;
  lbPool: string;
  clusterDns: string;
  nodeMonitorGracePeriod: number;
  defaultTolerationSeconds: number;
  /** Replicas of the scheduler and of the controller-manager (leader-elected). */
  controlPlaneReplicas: number;
  /** Added to every ops port (healthz/metrics) so a second cluster (tests) can run beside the first. */
  opsPortOffset: number;
  /** The ingress controller's HTTP port on the host. */
  ingressPort: number;
  /**
   * `up --machines N`: N hosts on this box (a network namespace, a veth on the LAN switch and a
   * Docker engine each, machines/layout.ts), one node each; 0: every agent on the host's engine.
   */
  machines: number;
  /** With machines: host-gw (routes via the machines' LAN addresses) or vxlan (a kernel VXLAN device per machine). */
  podRoutes: 'host-gw' | 'vxlan';
  /** The cluster registry's port (loopback, and the LAN address with machines): registry/layout.ts. */
  registryPort: number;
}

export const defaultConfig: ClusterConfig = {
  agents: 3,
  nodePrefix: 'agent',
  // Off the standard 2379 so a distribution's own etcd service does not collide.
  etcdClientPort: 12379,
  etcdPeerPort: 12380,
  apiPort: 6443,
  grpcPort: 6444,
  // The cluster network the agents default to, stated once in @k8ts/agent.
  network: AGENT_DEFAULTS.network,
  subnet: AGENT_DEFAULTS.subnet,
  ipRange: AGENT_DEFAULTS.ipRange,
  gateway: AGENT_DEFAULTS.gateway,
  serviceRange: '10.96.0.0/16',
  lbPool: '10.214.0.0/24',
  clusterDns: '10.213.0.1',
  nodeMonitorGracePeriod: 4,
  defaultTolerationSeconds: 2,
  controlPlaneReplicas: 2,
  opsPortOffset: 0,
  ingressPort: 8080,
  machines: 0,
  podRoutes: 'host-gw',
  registryPort: 5000,
};

/** The network layout that follows from a /16 subnet: pods in the lower half, gateway .1. */
export function networkFromSubnet(subnet: string): Pick<ClusterConfig, 'subnet' | 'ipRange' | 'gateway' | 'clusterDns'> {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(subnet);
  if (!m) throw new Error(`--subnet must be a /16 like 10.213.0.0/16, not ${subnet}`);
  const prefix = `${m[1]}.${m[2]}`;
  return { subnet, ipRange: `${prefix}.0.0/17`, gateway: `${prefix}.0.1`, clusterDns: `${prefix}.0.1` };
}

export class Home {
  constructor(public readonly dir: string = process.env.K8TS_HOME ?? join(homedir(), '.k8ts')) {}

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  ensure(): void {
    for (const d of ['', 'logs', 'pids', 'etcd', 'agents']) mkdirSync(this.path(d), { recursive: true });
  }

  get kubeconfig(): string {
    return this.path('kubeconfig');
  }

  readConfig(): ClusterConfig | undefined {
    const f = this.path('cluster.json');
    return existsSync(f) ? { ...defaultConfig, ...JSON.parse(readFileSync(f, 'utf8')) } : undefined;
  }

  writeConfig(c: ClusterConfig): void {
    writeFileSync(this.path('cluster.json'), JSON.stringify(c, null, 2) + '\n');
  }
}

export function nodeNames(c: ClusterConfig): string[] {
  return Array.from({ length: c.agents }, (_, i) => `${c.nodePrefix}-${i + 1}`);
}

/** Proxy chains of one cluster must not collide with another cluster's on the same host. */
export function chainPrefix(c: ClusterConfig): string {
  if (c.network === 'k8ts') return 'K8TS';
  let h = 0;
  for (const ch of c.network) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  // Four characters like the default: iptables chain names stop at 28 (K8TS-SEP-<16>).
  return `K${h.toString(36).toUpperCase().padStart(3, '0').slice(-3)}`;
}

export function proxyArgs(c: ClusterConfig): string[] {
  return ['--network', c.network, '--service-cluster-ip-range', c.serviceRange, '--load-balancer-pool', c.lbPool, '--cluster-cidr', c.subnet, '--chain-prefix', chainPrefix(c), '--state-dir', `/run/k8ts-${c.network}`];
}
