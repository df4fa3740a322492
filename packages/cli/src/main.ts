#!/usr/bin/env node
// `k8ts`: bring a cluster up and down on this machine, look at it, build its images.
import { Command } from 'commander';
import { up } from './commands/up.js';
import { down } from './commands/down.js';
import { status } from './commands/status.js';
import { ensureImages } from './commands/images.js';
import { composeInfo, composeInit, composeKubeconfig } from './commands/compose.js';
import { readFileSync } from 'node:fs';
import { killAgent, killComponent, killNode, pauseAgent, restartComponent, resumeAgent } from './commands/chaos.js';
import { Home } from './home.js';

const program = new Command('k8ts').description('a small Kubernetes in TypeScript').showHelpAfterError();

program
  .command('up')
  .description('start etcd, the control plane and the agents on this machine; write the kubeconfig')
  .option('--agents <n>', 'number of agents (nodes)', (v) => parseInt(v, 10))
  .option('--node-prefix <name>', 'nodes are <prefix>-1..N (default agent)')
  .option('--api-port <port>', 'apiserver REST port (default 6443)', (v) => parseInt(v, 10))
  .option('--grpc-port <port>', 'apiserver gRPC port (default 6444)', (v) => parseInt(v, 10))
  .option('--etcd-port <port>', 'etcd client port; peer port is the next one (default 12379)', (v) => parseInt(v, 10))
  .option('--network <name>', 'Docker network of the pods (default k8ts)')
  .option('--subnet <cidr>', 'its /16 subnet (default 10.213.0.0/16)')
  .option('--service-range <cidr>', 'ClusterIP range, outside the subnet (default 10.96.0.0/16)')
  .option('--lb-pool <cidr>', 'LoadBalancer address pool (default 10.214.0.0/24)')
  .option('--ops-port-offset <n>', 'added to every healthz/metrics port', (v) => parseInt(v, 10))
  .option('--images', 'rebuild the local images even when present')
  .option('--timeout <s>', 'seconds to wait for Ready nodes', (v) => parseInt(v, 10))
  .action(async (o) => up(o));

program
  .command('down')
  .description('stop everything `up` started and remove its containers, network and rules')
  .option('--purge', 'also delete the state (etcd data, tokens, logs)')
  .action(async (o) => down(o));

program
  .command('status')
  .description('components, leaders, nodes and their health')
  .action(async () => {
    process.exitCode = await status();
  });

program
  .command('images')
  .description('build the local images (k8ts/pause, k8ts/busybox, k8ts/node, k8ts/hello)')
  .option('--force', 'rebuild even when present')
  .action(async (o) => ensureImages(o));

const chaos = program.command('chaos').description('inject faults into the running embedded cluster');
chaos.command('kill-agent <node>').description('the agent dies, its pods keep running').action(killAgent);
chaos.command('kill-node <node>').description('the agent and all its pod containers die').action(killNode);
chaos.command('pause-agent <node>').description('the agent freezes: no heartbeats, pods keep running').action(pauseAgent);
chaos.command('resume <node>').description('a paused agent carries on').action(resumeAgent);
chaos.command('kill <component>').description('apiserver, scheduler, controller-manager, proxy, dns, etcd or an agent').action(killComponent);
chaos.command('restart <component>').description('start a component again as it was started').action(restartComponent);

program
  .command('kubeconfig')
  .description('print a kubeconfig for the embedded cluster, or with --compose for the compose one')
  .option('--compose', 'the docker-compose cluster')
  .action(async (o) => {
    process.stdout.write(o.compose ? await composeKubeconfig() : readFileSync(new Home().kubeconfig, 'utf8'));
  });

program.command('compose-init <dir>', { hidden: true }).action((dir: string) => composeInit(dir));
program.command('compose-info', { hidden: true }).action(() => composeInfo());

program.parseAsync().catch((e: Error) => {
  console.error(`k8ts: ${e.message}`);
  process.exit(1);
});
