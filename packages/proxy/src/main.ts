// k8ts proxy process: node --conditions=k8ts-dist packages/proxy/dist/main.js [flags]
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import { runComponent } from '@k8ts/client';
import { startProxy, cleanupProxy, PermissionError, PERMISSION_HELP, type RunningProxy } from './index.js';

interface ProxyFlags {
  nodeName?: string;
  network: string;
  bridge?: string;
  serviceClusterIpRange: string;
  loadBalancerPool: string;
  clusterCidr?: string;
  chainPrefix: string;
  cleanup?: boolean;
  cleanupOnExit?: boolean;
  syncPeriod: string;
  stateDir: string;
}

await runComponent<ProxyFlags, RunningProxy>({
  name: 'proxy',
  command: 'k8ts-proxy',
  description: 'Service virtual IPs, node ports and load-balancer addresses as iptables rules (kube-proxy, iptables mode)',
  opsPort: 10256,
  flags: (cmd) =>
    cmd
      .option('--node-name <name>', 'name of this node (for externalTrafficPolicy: Local)')
      .option('--network <name>', 'Docker network of the cluster (its bridge carries the service ranges)', 'k8ts')
      .option('--bridge <dev>', 'bridge device, instead of looking it up from --network')
      .option('--service-cluster-ip-range <cidr>', 'Service ClusterIP range', '10.96.0.0/16')
      .option('--load-balancer-pool <cidr>', 'LoadBalancer address pool', '10.214.0.0/24')
      .option('--cluster-cidr <cidr>', 'pod CIDR; ClusterIP traffic from outside it is masqueraded')
      .option('--chain-prefix <prefix>', 'prefix of every chain name', 'K8TS')
      .option('--cleanup', 'remove every chain, rule and route of this proxy, then exit')
      .option('--cleanup-on-exit', 'also remove them when stopped with SIGTERM/SIGINT')
      .option('--sync-period <ms>', 'full resync period', '30000')
      .option('--state-dir <dir>', 'where the original route_localnet value is kept', '/run/k8ts'),
  start: async (ctx) => {
    const o = ctx.opts;
    const common = { chainPrefix: o.chainPrefix, serviceClusterIpRange: o.serviceClusterIpRange, loadBalancerPool: o.loadBalancerPool, stateDir: o.stateDir };
    if (o.cleanup) {
      await cleanupProxy(common);
      return null;
    }
    return startProxy({
      ...common,
      server: ctx.server,
      token: ctx.token, // read only here: --cleanup needs no token
      ops: ctx.ops,
      nodeName: o.nodeName,
      network: o.network,
      bridge: o.bridge,
      clusterCidr: o.clusterCidr,
      cleanupOnExit: !!o.cleanupOnExit,
      syncPeriodMs: Number(o.syncPeriod),
    });
  },
  startFailed: (err, log) => {
    if (err instanceof PermissionError) {
      log.fatal({ reason: 'NoPermission' }, err.message);
      console.error(PERMISSION_HELP);
      return 2;
    }
    log.fatal({ err: String(err) }, 'proxy failed');
    return 1;
  },
});
