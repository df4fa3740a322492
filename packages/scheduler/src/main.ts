// The scheduler process: `node --conditions=k8ts-dist packages/scheduler/dist/main.js --server 127.0.0.1:6444`.
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import { Option } from 'commander';
import { clientFromOptions, runComponent } from '@k8ts/client';
import { startScheduler } from './start.js';
import { DEFAULT_MAX_IN_FLIGHT_BINDS, DEFAULT_SCHEDULER_NAME } from './scheduler.js';

interface SchedulerFlags {
  leaderElect: boolean;
  schedulerName: string;
  leaseName: string;
  identity?: string;
  percentageOfNodesToScore: number;
  maxInFlightBinds: number;
}

await runComponent<SchedulerFlags, Awaited<ReturnType<typeof startScheduler>>>({
  name: 'scheduler',
  command: 'k8ts-scheduler',
  description: 'k8ts scheduler: places pending pods on nodes',
  opsPort: 10259,
  flags: (cmd) =>
    cmd
      .addOption(new Option('--leader-elect [bool]', 'elect a leader through Lease kube-system/k8ts-scheduler').default(true).argParser((v) => v !== 'false'))
      .option('--no-leader-elect', 'schedule without leader election (single replica)')
      .option('--scheduler-name <name>', 'schedule pods whose spec.schedulerName is this', DEFAULT_SCHEDULER_NAME)
      .option('--lease-name <name>', 'leader election Lease name', 'k8ts-scheduler')
      .option('--identity <id>', 'leader election identity (default: hostname_random)')
      .option('--percentage-of-nodes-to-score <n>', 'share of nodes to find feasible before scoring (0: adaptive)', (v) => parseInt(v, 10), 0)
      .option('--max-in-flight-binds <n>', "bindings awaiting the apiserver at once (client-side flow control, like kube-scheduler's client QPS)", (v) => parseInt(v, 10), DEFAULT_MAX_IN_FLIGHT_BINDS),
  start: ({ opts: o, log, server, token, ops }) =>
    startScheduler({
      client: clientFromOptions({ server, token }),
      closeClient: true,
      logger: log,
      schedulerName: o.schedulerName,
      leaderElect: o.leaderElect,
      leaseName: o.leaseName,
      identity: o.identity,
      ops,
      percentageOfNodesToScore: o.percentageOfNodesToScore,
      maxInFlightBinds: o.maxInFlightBinds,
    }),
});
