// Where the hosts of `k8ts up --machines N` live, all derived from the cluster's /16 and its
// names, so `down` finds every piece again by name (also after a crash of `up`):
//   a.b.0.0/16     the cluster (proxy's --cluster-cidr); a.b.0.1 the control plane's bridge
//   a.b.128.0/18   nodeipam's --cluster-cidr: a /24 of pods per machine
//   a.b.255.0/24   the machines' LAN: the host's link .1, machine i .(10+i)
// The LAN's switch is a bridge alone in a namespace of its own (`<network>-lan`): every host,
// the control plane's included, plugs into it with a veth, and, like a real switch, it runs no
// host's iptables on the frames it passes.
import { join } from 'node:path';
import { chainPrefix, nodeNames, type ClusterConfig, type Home } from '../home.js';

export interface Machine {
  /** The node it hosts (its agent's --node-name). */
  node: string;
  /** Network namespace name, and its path for nsenter. */
  netns: string;
  nsPath: string;
  /** Its port on the LAN switch: the veth end in the switch's namespace (the other end is eth0 in its own). */
  veth: string;
  /** The switch's namespace, where `veth` is. */
  switchNsPath: string;
  lanIP: string;
  /** Its Docker engine: data root and socket under the home, exec root under /run. */
  dir: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  pidfile: string;
  log: string;
  /** Its proxy's state dir (route_localnet's first value in the namespace). */
  proxyStateDir: string;
}

export type PodRoutes = 'host-gw' | 'vxlan';

export interface MachinesLayout {
  tag: string;
  /** How pods reach the other machines (podnet's --routes). */
  routes: PodRoutes;
  /** The control plane's port on the LAN: a veth in the host's namespace, holding `hostIP`. */
  hostLink: string;
  /** The switch: namespace, its path, and the bridge in it. */
  lan: { netns: string; nsPath: string; bridge: string };
  lanSubnet: string;
  hostIP: string;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  machines: Machine[];
  /** Every FORWARD rule on the host carries this comment. */
  ruleComment: string;
  /** The cluster registry at the host's LAN address: plain HTTP, which each engine is told to allow. */
  registry: string;
}

export function octets(c: ClusterConfig): [string, string] {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(c.subnet);
  if (!m) throw new Error(`--machines needs the cluster --subnet to be a /16, not ${c.subnet}`);
  return [m[1]!, m[2]!];
}

export function machinesLayout(c: ClusterConfig, home: Home, count = c.machines): MachinesLayout {
  const [a, b] = octets(c);
  // Interface names stop at 15 characters: the cluster's 4-character tag (chainPrefix).
  const tag = chainPrefix(c).toLowerCase();
  const names = nodeNames({ ...c, agents: count });
  const lan = { netns: `${c.network}-lan`, nsPath: `/var/run/netns/${c.network}-lan`, bridge: 'lan' };
  return {
    tag,
    routes: c.podRoutes,
    hostLink: `${tag}-lan`,
    lan,
    lanSubnet: `${a}.${b}.255.0/24`,
    hostIP: `${a}.${b}.255.1`,
    clusterCidr: `${a}.${b}.128.0/18`,
    nodeCidrMaskSize: 24,
    ruleComment: `k8ts-machines:${tag}`,
    registry: `${a}.${b}.255.1:${c.registryPort}`,
    machines: names.map((node, i) => {
      const dir = home.path('machines', node);
      return {
        node,
        netns: `${c.network}-${node}`,
        nsPath: `/var/run/netns/${c.network}-${node}`,
        veth: `${tag}-m${i + 1}`,
        switchNsPath: lan.nsPath,
        lanIP: `${a}.${b}.255.${10 + i + 1}`,
        dir,
        dataRoot: join(dir, 'docker'),
        execRoot: `/run/k8ts-${tag}-m${i + 1}`,
        socket: join(dir, 'docker.sock'),
        pidfile: join(dir, 'docker.pid'),
        log: home.path('logs', `dockerd-${node}.out`),
        proxyStateDir: `/run/k8ts-${tag}-m${i + 1}-proxy`,
      };
    }),
  };
}

/** The agent flags that put a node on its machine. */
export function machineAgentArgs(m: Machine): string[] {
  return ['--docker-socket', m.socket, '--node-ip', m.lanIP, '--pod-cidr-from-node'];
}

/** podnet's flags on a machine (it runs in the machine's namespace: its routes and rules are there). */
export function machinePodnetArgs(l: MachinesLayout): string[] {
  return ['--cluster-cidr', l.clusterCidr, '--routes', l.routes];
}

/**
 * The flags of a machine's proxy (beside the host's proxyArgs): pods are the machines' pod
 * ranges, its own state dir; the chain names may be the host's, the namespace being its own.
 */
export function machineProxyArgs(c: ClusterConfig, l: MachinesLayout, m: Machine): string[] {
  return ['--network', c.network, '--service-cluster-ip-range', c.serviceRange, '--load-balancer-pool', c.lbPool, '--cluster-cidr', l.clusterCidr, '--chain-prefix', chainPrefix(c), '--state-dir', m.proxyStateDir, '--node-name', m.node];
}

/** nodeipam's flags for the controller-manager. */
export function nodeIpamArgs(l: MachinesLayout, serviceRange: string): string[] {
  return ['--allocate-node-cidrs', '--cluster-cidr', l.clusterCidr, '--node-cidr-mask-size', String(l.nodeCidrMaskSize), '--service-cluster-ip-range', serviceRange];
}
