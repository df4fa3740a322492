import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Home, defaultConfig, nodeNames, proxyArgs } from '../home.js';
import { componentExists, componentNodeArgs, ensureCompiled, listProcesses, signalProcess, stopProcess } from '../processes.js';
import { healAll } from '../target/embedded-partition.js';
import { partitionChain } from '../target/embedded.js';
import { removeClusterContainers, removeNetwork } from '../docker-cleanup.js';
import { machinesLayout } from '../machines/layout.js';
import { machinesDirOf, teardownMachines } from '../machines/teardown.js';
import { MAX_MACHINES } from '../machines/tasks.js';
import { JOIN_RECORD, readJoinRecord, type JoinRecord } from './join.js';
import Docker from 'dockerode';

export async function down(opts: { purge?: boolean } = {}): Promise<void> {
  const home = new Home();
  const joined = readJoinRecord(home);
  if (joined) return leave(home, joined, opts);
  const known = home.readConfig();
  const running = listProcesses(home);
  // A home that never held a cluster names nothing to remove: leave Docker alone (the default
  // layout may belong to a cluster started from another home).
  if (!known && running.length === 0) {
    console.log('k8ts is not running; nothing to stop.');
    return;
  }
  const config = known ?? defaultConfig;
  // In stages, each stage's processes together: agents first so none recreates a container
  // while we remove them, then the other clients of the apiserver, the apiserver, etcd last.
  const nodes = nodeNames({ ...config, agents: Math.max(config.agents, 16) });
  const stages = [running.filter((n) => nodes.includes(n)), running.filter((n) => !nodes.includes(n) && n !== 'etcd' && n !== 'apiserver'), ['apiserver'], ['etcd']];
  // Partitions first: their processes go back to the root cgroup, their rules away.
  const healed = process.getuid?.() === 0 ? healAll(partitionChain(config), config.network) : [];
  if (healed.length) console.log(`healed partition(s) of ${healed.join(', ')}`);
  // A paused (SIGSTOPped) agent would not act on SIGTERM.
  for (const name of running) signalProcess(home, name, 'SIGCONT');
  let stopped = 0;
  for (const stage of stages) {
    const done = await Promise.all(stage.filter((n) => running.includes(n)).map((n) => stopProcess(home, n)));
    stopped += done.filter(Boolean).length;
  }

  // Machines: every name the layout could have given (a crashed `up` recorded nothing else).
  const machines = process.getuid?.() === 0 ? await Promise.resolve().then(() => teardownMachines(machinesLayout(config, home, Math.max(config.machines, MAX_MACHINES)), machinesDirOf(home.dir))).catch((e) => {
    console.error(`could not remove the machines: ${(e as Error).message}`);
    return undefined;
  }) : undefined;
  if (machines && (machines.engines || machines.namespaces || machines.lan)) console.log(`machines removed: ${machines.engines} engine(s), ${machines.containers} container(s), ${machines.namespaces} namespace(s)${machines.lan ? ', the LAN switch' : ''}, ${machines.rules} rule(s)`);
  const removed = await removeClusterContainers(nodes).catch((e) => {
    console.error(`could not list containers: ${(e as Error).message}`);
    return 0;
  });
  if (componentExists('proxy') && process.getuid?.() === 0) {
    // A tree that cannot be built still gets its rules removed, from the sources.
    const source = await ensureCompiled().then(() => undefined, () => true);
    spawnSync(process.execPath, [...componentNodeArgs('proxy', source), '--cleanup', ...proxyArgs(config)], { stdio: 'ignore', timeout: 30_000 });
  }
  const net = await removeNetwork(config.network).catch((e) => {
    console.error(`could not remove the network ${config.network}: ${(e as Error).message}`);
    return false;
  });
  if (stopped === 0 && removed === 0 && !net) console.log('k8ts is not running; nothing to stop.');
  else console.log(`k8ts is down: ${stopped} process(es) stopped, ${removed} container(s) removed${net ? `, network ${config.network} removed` : ''}.`);
  if (opts.purge) {
    rmSync(home.dir, { recursive: true, force: true });
    console.log(`state deleted: ${home.dir}`);
  }
}

/**
 * A host that joined with `k8ts join` (kubeadm reset's part): its agent first, then its podnet
 * and proxy (which remove their routes and rules), then the node's containers and pod network
 * on its engine. The Node object stays, as after `kubeadm reset`: `kubectl delete node` removes it.
 */
async function leave(home: Home, j: JoinRecord, opts: { purge?: boolean }): Promise<void> {
  const running = listProcesses(home);
  for (const name of running) signalProcess(home, name, 'SIGCONT');
  let stopped = 0;
  for (const stage of [running.filter((n) => n === j.node), running.filter((n) => n !== j.node)]) stopped += (await Promise.all(stage.map((n) => stopProcess(home, n)))).filter(Boolean).length;
  const docker = new Docker({ socketPath: j.dockerSocket });
  const removed = await removeClusterContainers([j.node], docker).catch(() => 0);
  const net = await removeNetwork(j.settings.network, docker).catch(() => false);
  console.log(`node ${j.node} left the cluster here: ${stopped} process(es) stopped, ${removed} container(s) removed${net ? `, network ${j.settings.network} removed` : ''} (\`kubectl delete node ${j.node}\` removes its Node)`);
  rmSync(home.path(JOIN_RECORD), { force: true });
  if (opts.purge) {
    rmSync(home.dir, { recursive: true, force: true });
    console.log(`state deleted: ${home.dir}`);
  }
}
