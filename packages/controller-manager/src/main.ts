// k8ts controller-manager process: node --import tsx packages/controller-manager/src/main.ts [flags]
import { Command } from 'commander';
import { createLogger, stopOnSignals } from '@k8ts/client';
import { startControllerManager, CONTROLLER_NAMES } from './index.js';
import { parseDuration as ms } from '@k8ts/api';

const program = new Command('k8ts-controller-manager')
  .description('Runs the cluster controllers (replica sets, deployments, endpoints, nodes, GC, namespaces, daemon sets, jobs, cron jobs)')
  .option('--server <host:port>', 'apiserver gRPC address', '127.0.0.1:6444')
  .option('--token <token>', 'bearer token (env K8TS_TOKEN)')
  .option('--token-file <path>', 'file holding the bearer token')
  .option('--ops-port <n>', 'healthz/metrics port (0 = any, -1 = off)', '10257')
  .option('--controllers <list>', `controllers to run: * for all, -name to leave one out (${CONTROLLER_NAMES.join(', ')})`, '*')
  .option('--leader-elect <bool>', 'run only while holding the Lease kube-system/k8ts-controller-manager', 'true')
  .option('--leader-elect-lease-duration <duration>', 'lease duration (4s, 500ms; a bare number is seconds)', '4s')
  .option('--leader-elect-renew-deadline <duration>', 'give up leadership after failing to renew this long', '3s')
  .option('--leader-elect-retry-period <duration>', 'how often to try to acquire or renew', '1s')
  .option('--node-monitor-grace-period <duration>', 'a node whose lease is older than this becomes Ready=Unknown and tainted', '4s')
  .option('--node-monitor-period <duration>', 'how often node health is checked', '250ms')
  .option('--node-eviction-rate <n>', 'nodes tainted and pods evicted per second', '10')
  .option('--secondary-node-eviction-rate <n>', 'the same when most nodes look unhealthy (partial disruption)', '0.01')
  .option('--unhealthy-zone-threshold <f>', 'fraction of unhealthy nodes that means partial disruption', '0.55')
  .option('--concurrent-syncs <n>', 'workers per controller', '5')
  .parse();

const o = program.opts();
const log = createLogger('controller-manager');

try {
  const cm = await startControllerManager({
    server: o.server,
    token: o.token,
    tokenFile: o.tokenFile,
    opsPort: Number(o.opsPort),
    controllers: String(o.controllers).split(','),
    leaderElect: o.leaderElect !== 'false',
    leaseDurationMs: ms(o.leaderElectLeaseDuration),
    renewDeadlineMs: ms(o.leaderElectRenewDeadline),
    retryPeriodMs: ms(o.leaderElectRetryPeriod),
    concurrentSyncs: Number(o.concurrentSyncs),
    controllerOptions: {
      nodeMonitorGracePeriodMs: ms(o.nodeMonitorGracePeriod),
      nodeMonitorPeriodMs: ms(o.nodeMonitorPeriod),
      evictionRate: Number(o.nodeEvictionRate),
      secondaryEvictionRate: Number(o.secondaryNodeEvictionRate),
      unhealthyZoneThreshold: Number(o.unhealthyZoneThreshold),
    },
  });
  log.info({ opsPort: cm.opsPort, controllers: cm.manager.names, identity: cm.manager.identity }, 'controller-manager started');
  stopOnSignals(log, () => cm.stop());
} catch (e) {
  log.error({ err: e instanceof Error ? e.message : String(e) }, 'controller-manager failed to start');
  process.exit(1);
}
