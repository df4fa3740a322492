#!/usr/bin/env node
// `k8ts`: bring a cluster up and down on this machine, look at it, build its images.
// Each command's module is loaded only when that command runs: the CLI starts faster, and a
// fault in one command's code cannot break the others (`down` must work whatever else is broken).
import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Fault } from './target/types.js';
import { Home } from './home.js';
import { SCENARIO_NAMES } from './drill/scenarios.js';

const chaosCommands = () => import('./commands/chaos.js');
const composeCommands = () => import('./commands/compose.js');
type Chaos = Awaited<ReturnType<typeof chaosCommands>>;
// commander passes (arguments…, options, command); the chaos actions read --compose from the command.
const chaosAction =
  (pick: (m: Chaos) => unknown) =>
  async (...args: unknown[]): Promise<void> => {
    await (pick(await chaosCommands()) as (...a: unknown[]) => unknown)(...args);
  };
const nodeFault = (fault: Fault) => chaosAction((m) => m.nodeFaultAction(fault));

const program = new Command('k8ts').description('a small Kubernetes in TypeScript').showHelpAfterError();

program
  .command('up')
  .description('start etcd, the control plane and the agents on this machine; write the kubeconfig')
  .option('--agents <n>', 'number of agents (nodes)', (v) => parseInt(v, 10))
  .option('--node-prefix <name>', 'nodes are <prefix>-1..N (default agent)')
  .option('--api-port <port>', 'apiserver REST port (default 6443)', (v) => parseInt(v, 10))
  .option('--grpc-port <port>', 'apiserver gRPC port (default 6444)', (v) => parseInt(v, 10))
  .option('--etcd-port <port>', 'etcd client port; the peer and metrics ports are the next two (default 12379)', (v) => parseInt(v, 10))
  .option('--network <name>', 'Docker network of the pods (default k8ts)')
  .option('--subnet <cidr>', 'its /16 subnet (default 10.213.0.0/16)')
  .option('--service-range <cidr>', 'ClusterIP range, outside the subnet (default 10.96.0.0/16)')
  .option('--lb-pool <cidr>', 'LoadBalancer address pool (default 10.214.0.0/24)')
  .option('--ops-port-offset <n>', 'added to every healthz/metrics port', (v) => parseInt(v, 10))
  .option('--ingress-port <port>', 'host port of the ingress controller\'s HTTP (default 8080, plus --ops-port-offset)', (v) => parseInt(v, 10))
  .option('--images', 'rebuild the local images even when present')
  .option('--registry-port <port>', 'the cluster registry\'s port on loopback (and the LAN with --machines; default 5000, plus --ops-port-offset)', (v) => parseInt(v, 10))
  .option('--machines <n>', 'n hosts on this machine, each a network namespace with its own Docker engine and one node, pods routed between them (host-gw); needs root', (v) => parseInt(v, 10))
  .option('--pod-routes <mode>', 'with --machines: host-gw (routes via the machines\' LAN addresses, default) or vxlan (a kernel VXLAN device per machine)')
  .option('--timeout <s>', 'seconds to wait for Ready nodes', (v) => parseInt(v, 10))
  .action(async (o) => (await import('./commands/up.js')).up(o));

program
  .command('down')
  .description('stop everything `up` started and remove its containers, network and rules')
  .option('--purge', 'also delete the state (etcd data, tokens, logs)')
  .option('--compose', 'instead: the docker-compose cluster, its pod containers, network, proxy rules and state')
  .option('--project <name>', 'compose project (default: the only one running, else the directory name)')
  .action(async (o) => (o.compose ? (await composeCommands()).composeDownCommand(o.project) : (await import('./commands/down.js')).down(o)));

program
  .command('status')
  .description('components, leaders, nodes and their health')
  .action(async () => {
    process.exitCode = await (await import('./commands/status.js')).status();
  });

const images = program
  .command('images')
  .description('build the local images (k8ts/pause, k8ts/busybox, k8ts/node, k8ts/hello) and push them to the cluster registry when it runs')
  .option('--force', 'rebuild even when present')
  .action(async (o) => (await import('./commands/images.js')).imagesCommand(o));
images
  .command('push <image...>')
  .description('publish local images to the cluster registry: pods then pull them by the same name (Docker Hub names) or as localhost:PORT/NAME')
  .action(async (list: string[]) => (await import('./commands/images.js')).pushCommand(list));

const chaos = program
  .command('chaos')
  .description('inject faults into the running cluster (embedded; --compose for the compose one)')
  .option('--compose', 'the docker-compose cluster')
  .option('--project <name>', 'compose project (default: the only one running, else the directory name)');
chaos.command('kill-agent <node>').description('the agent dies, its pods keep running').action(nodeFault('kill-agent'));
chaos.command('kill-node <node>').description('the agent and all its pod containers die').action(nodeFault('kill-node'));
chaos.command('pause-agent <node>').description('the agent freezes: no heartbeats, pods keep running').action(nodeFault('pause-agent'));
chaos.command('resume <node>').description('a paused agent carries on').action(nodeFault('resume'));
chaos.command('partition <node>').description('the agent cannot reach the apiserver; it and its pods keep running').action(nodeFault('partition'));
chaos.command('heal <node>').description('end a partition: the agent reconnects and removes pods moved away').action(nodeFault('heal'));
chaos.command('kill <component>').description('apiserver, scheduler or controller-manager (the leader), proxy, dns, etcd, registry or an agent').action(chaosAction((m) => m.killComponent));
chaos.command('restart <component>').description('start a component again as it was started').action(chaosAction((m) => m.restartComponent));
chaos.command('undo').description('heal, resume and restart whatever a fault left down').action(chaosAction((m) => m.undoAll));

program
  .command('drill <scenario>')
  .description(`run a workload, inject a fault, watch, check invariants and write a report (${SCENARIO_NAMES.join(', ')})`)
  .option('--compose', 'drill the docker-compose cluster')
  .option('--project <name>', 'compose project (default: the only one running, else the directory name)')
  .option('--out <dir>', 'report directory (default $K8TS_HOME/drills/<time>-<scenario>)')
  .option('--replicas <n>', 'replicas of the drill Deployment', (v) => parseInt(v, 10))
  .option('--timeout <s>', 'seconds to wait for recovery', (v) => parseInt(v, 10))
  .option('--keep', 'leave the drill namespace in place')
  .action(async (scenario: string, o) => {
    process.exitCode = await (await import('./commands/drill.js')).drill(scenario, o);
  });

program
  .command('kubeconfig')
  .description('print the admin kubeconfig for the embedded cluster (--compose: the compose one); with --user, a new client certificate for that user')
  .option('--compose', 'the docker-compose cluster')
  .option('--project <name>', 'compose project (default: the only one running, else the directory name)')
  .option('--user <name>', 'mint a client certificate signed by the cluster CA for this user (its CN)')
  .option('--group <group>', 'a group of --user (its O); repeat for several', (v: string, acc: string[] = []) => [...acc, v])
  .option('--days <n>', 'validity of the --user certificate in days (default 365)', (v) => parseInt(v, 10))
  .option('--server <url>', 'the API address written in the --user kubeconfig')
  .option('--out <file>', 'write the kubeconfig to this file (mode 0600) instead of printing it')
  .action(async (o) => {
    if (o.user !== undefined) {
      const yaml = await (await import('./commands/user-kubeconfig.js')).userKubeconfig(o);
      if (o.out) console.error(`kubeconfig for user ${o.user} written to ${o.out}`);
      else process.stdout.write(yaml);
      return;
    }
    if (o.group || o.days !== undefined) throw new Error('--group and --days go with --user');
    const yaml = o.compose ? await (await composeCommands()).composeKubeconfig(o.project) : readFileSync(new Home().kubeconfig, 'utf8');
    if (o.out) writeFileSync(o.out, yaml, { mode: 0o600 });
    else process.stdout.write(yaml);
  });

program
  .command('join')
  .description('join this host to a cluster as a node: its agent (TLS bootstrap with the token), podnet and proxy')
  .requiredOption('--server <host:port>', 'the apiserver\'s gRPC address')
  .requiredOption('--token <id.secret>', 'a bootstrap token (`k8ts token create`)')
  .requiredOption('--discovery-token-ca-cert-hash <sha256:hex>', 'the hash of the cluster CA\'s public key: only that CA is trusted')
  .option('--node-name <name>', 'the node\'s name (default: the hostname)')
  .option('--node-ip <ip>', 'the node\'s InternalIP (default: the agent\'s choice)')
  .option('--docker-socket <path>', 'this host\'s Docker engine (default /var/run/docker.sock)')
  .option('--ops-port <port>', 'the agent\'s healthz/metrics port; podnet +50, proxy +6 (default 10250)', (v) => parseInt(v, 10))
  .option('--timeout <s>', 'seconds to wait for the certificate and a Ready node (default 120)', (v) => parseInt(v, 10))
  .action(async (o) => (await import('./commands/join.js')).join(o));

const token = program.command('token').description('bootstrap tokens for agents joining later');
token
  .command('create')
  .description('make a bootstrap token (kube-system/bootstrap-token-<id>) and print <id>.<secret>')
  .option('--ttl <duration>', 'how long the token lives (0: forever)', '24h')
  .option('--print-join-command', 'print the whole `k8ts join` command for it (server, token, CA hash)')
  .option('--groups <g1,g2>', 'extra groups (system:bootstrappers:…)')
  .action(async (o) => (await import('./commands/token.js')).tokenCreate(o));

program.command('compose-info', { hidden: true }).action(async () => (await composeCommands()).composeInfo());

program.parseAsync().catch((e: Error) => {
  console.error(`k8ts: ${e.message}`);
  process.exit(1);
});
