// The scheduler process: `node --import tsx packages/scheduler/src/main.ts --server 127.0.0.1:6444`.
import { Command, Option } from 'commander';
import { clientFromOptions, createLogger, stopOnSignals } from '@k8ts/client';
import { startScheduler } from './start.js';
import { DEFAULT_MAX_IN_FLIGHT_BINDS, DEFAULT_SCHEDULER_NAME } from './scheduler.js';

const program = new Command('k8ts-scheduler')
  .description('k8ts scheduler: places pending pods on nodes')
  .option('--server <host:port>', 'apiserver gRPC address', process.env.K8TS_SERVER ?? '127.0.0.1:6444')
  .option('--token <token>', 'bearer token (env K8TS_TOKEN)')
  .option('--token-file <path>', 'file holding the bearer token')
  .option('--ops-port <n>', 'healthz/readyz/metrics port (0: any free port, -1: off)', (v) => parseInt(v, 10), 10259)
  .addOption(new Option('--leader-elect [bool]', 'elect a leader through Lease kube-system/k8ts-scheduler').default(true).argParser((v) => v !== 'false'))
  .option('--no-leader-elect', 'schedule without leader election (single replica)')
  .option('--scheduler-name <name>', 'schedule pods whose spec.schedulerName is this', DEFAULT_SCHEDULER_NAME)
  .option('--lease-name <name>', 'leader election Lease name', 'k8ts-scheduler')
  .option('--identity <id>', 'leader election identity (default: hostname_random)')
  .option('--percentage-of-nodes-to-score <n>', 'share of nodes to find feasible before scoring (0: adaptive)', (v) => parseInt(v, 10), 0)
  .option('--max-in-flight-binds <n>', 'bindings awaiting the apiserver at once (client-side flow control, like kube-scheduler\'s client QPS)', (v) => parseInt(v, 10), DEFAULT_MAX_IN_FLIGHT_BINDS)
  .parse();

const o = program.opts<{
  server: string;
  token?: string;
  tokenFile?: string;
  opsPort: number;
  leaderElect: boolean;
  schedulerName: string;
  leaseName: string;
  identity?: string;
  percentageOfNodesToScore: number;
  maxInFlightBinds: number;
}>();

const logger = createLogger('scheduler');
const client = clientFromOptions({ server: o.server, token: o.token, tokenFile: o.tokenFile });
const running = await startScheduler({
  client,
  closeClient: true,
  logger,
  schedulerName: o.schedulerName,
  leaderElect: o.leaderElect,
  leaseName: o.leaseName,
  identity: o.identity,
  opsPort: o.opsPort,
  percentageOfNodesToScore: o.percentageOfNodesToScore,
  maxInFlightBinds: o.maxInFlightBinds,
});

stopOnSignals(logger, () => running.stop());
