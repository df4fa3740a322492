// k8ts proxy process: node --import tsx packages/proxy/src/main.ts [flags]
import { Command } from 'commander';
import { createLogger, stopOnSignals } from '@k8ts/client';
import { startProxy, cleanupProxy, PermissionError, PERMISSION_HELP } from './index.js';

const program = new Command('k8ts-proxy')
  .description('Service virtual IPs, node ports and load-balancer addresses as iptables rules (kube-proxy, iptables mode)')
  .option('--server <host:port>', 'apiserver gRPC address', '127.0.0.1:6444')
  .option('--token <token>', 'bearer token (env K8TS_TOKEN)')
  .option('--token-file <path>', 'file holding the bearer token')
  .option('--ops-port <n>', 'healthz/metrics port (0 = any, -1 = off)', '10256')
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
  .option('--state-dir <dir>', 'where the original route_localnet value is kept', '/run/k8ts')
  .parse();

const o = program.opts();
const log = createLogger('proxy');
const token: string | undefined = o.token;
const tokenFile: string | undefined = o.tokenFile;
const common = { chainPrefix: o.chainPrefix, serviceClusterIpRange: o.serviceClusterIpRange, loadBalancerPool: o.loadBalancerPool, stateDir: o.stateDir };

try {
  if (o.cleanup) {
    await cleanupProxy(common);
    process.exit(0);
  }
  const proxy = await startProxy({
    ...common,
    server: o.server,
    token,
    tokenFile,
    opsPort: Number(o.opsPort),
    nodeName: o.nodeName,
    network: o.network,
    bridge: o.bridge,
    clusterCidr: o.clusterCidr,
    cleanupOnExit: !!o.cleanupOnExit,
    syncPeriodMs: Number(o.syncPeriod),
  });
  stopOnSignals(log, () => proxy.stop());
} catch (e) {
  if (e instanceof PermissionError) {
    log.fatal({ reason: 'NoPermission' }, e.message);
    console.error(PERMISSION_HELP);
    process.exit(2);
  }
  log.fatal({ err: String(e) }, 'proxy failed');
  process.exit(1);
}
