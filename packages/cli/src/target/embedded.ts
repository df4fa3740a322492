// The cluster `k8ts up` runs on this machine as local processes (pid and log files under
// $K8TS_HOME), as chaos commands and drills see it. Node faults act on an agent's process
// (and, for a lost machine, on its pod containers); component faults on the process of
// that component, the leading replica for leader-elected ones. With `--machines N`, node
// faults act on the whole machine: its power (engine and every container) and its LAN link.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { Home, chainPrefix, defaultConfig, nodeNames, type ClusterConfig } from '../home.js';
import { isAlive, listProcesses, readPid, restartDetached, runningPid, signalProcess, stopProcess } from '../processes.js';
import { apiGet, trustCertificate } from '../api.js';
import { ensureTokens } from '../tokens.js';
import { heal, healAll, isPartitioned, partition, partitionedNodes, type PartitionSpec } from './embedded-partition.js';
import type { ApiAccess, ClusterTarget, Fault } from './types.js';
import { machinesLayout, type Machine, type MachinesLayout } from '../machines/layout.js';
import { cutLan, lanCut, machineProcessNames, powerOff, poweredOn, restoreLan } from '../machines/faults.js';
import { ensureMachine } from '../machines/setup.js';

/** Leader-elected components and the Lease each one holds in kube-system. */
export const LEADER_LEASES: Record<string, string> = { scheduler: 'k8ts-scheduler', 'controller-manager': 'k8ts-controller-manager' };

export function partitionChain(c: ClusterConfig): string {
  return `${chainPrefix(c)}-PART`;
}

export class EmbeddedTarget implements ClusterTarget {
  readonly kind = 'embedded' as const;
  readonly config: ClusterConfig;

  constructor(readonly home: Home = new Home()) {
    const config = home.readConfig();
    if (!config || listProcesses(home).length === 0) throw new Error(`k8ts is not running here (no cluster in ${home.dir}; \`k8ts up\` starts one)`);
    this.config = { ...defaultConfig, ...config };
  }

  async api(): Promise<ApiAccess> {
    const ca = readFileSync(this.home.path('pki', 'ca.crt'));
    return { url: `https://127.0.0.1:${this.config.apiPort}`, grpc: `127.0.0.1:${this.config.grpcPort}`, token: ensureTokens(this.home).admin, ca, kubeconfig: this.home.kubeconfig };
  }

  async nodes(): Promise<string[]> {
    return nodeNames(this.config);
  }

  /** Every process name `up` started, plus the leader aliases. */
  async components(): Promise<string[]> {
    const procs = listProcesses(this.home);
    return [...new Set([...Object.keys(LEADER_LEASES).filter((c) => procs.some((p) => p === c || p.startsWith(`${c}-`))), ...procs])].sort();
  }

  private get machines(): MachinesLayout | undefined {
    return this.config.machines > 0 ? machinesLayout(this.config, this.home) : undefined;
  }

  dockerSockets(): string[] {
    return this.machines?.machines.map((m) => m.socket) ?? [];
  }

  private machineOf(node: string): Machine | undefined {
    return this.machines?.machines.find((m) => m.node === node);
  }

  private partitionSpec(node: string): PartitionSpec {
    return { chain: partitionChain(this.config), cluster: this.config.network, node };
  }

  private async checkNode(node: string): Promise<void> {
    const nodes = await this.nodes();
    if (!nodes.includes(node)) throw new Error(`no node named ${node}; the nodes are ${nodes.join(', ')}`);
  }

  private agentPid(node: string): number {
    const pid = runningPid(this.home, node);
    if (pid === undefined) throw new Error(`the agent of ${node} is not running (\`k8ts chaos restart ${node}\` starts it)`);
    return pid;
  }

  async nodeFault(fault: Fault, node: string): Promise<string> {
    await this.checkNode(node);
    const machine = this.machineOf(node);
    if (machine && (fault === 'kill-node' || fault === 'partition' || fault === 'heal')) return this.machineFault(fault, machine);
    switch (fault) {
      case 'kill-agent':
        process.kill(-this.agentPid(node), 'SIGKILL');
        return `killed the agent of ${node}; its pods keep running (as when a kubelet crashes)`;
      case 'kill-node': {
        signalProcess(this.home, node, 'SIGKILL');
        const docker = new Docker();
        const containers = await docker.listContainers({ filters: { label: [`io.k8ts.node=${node}`] } });
        await Promise.all(containers.map((c) => docker.getContainer(c.Id).kill().catch(() => undefined)));
        return `node ${node} lost: agent and ${containers.length} container(s) killed (\`k8ts chaos restart ${node}\` brings the machine back)`;
      }
      case 'pause-agent':
        process.kill(-this.agentPid(node), 'SIGSTOP');
        return `paused the agent of ${node}: no heartbeats, pods keep running (\`k8ts chaos resume ${node}\`)`;
      case 'resume':
        process.kill(-this.agentPid(node), 'SIGCONT');
        return `resumed the agent of ${node}`;
      case 'partition':
        partition(this.partitionSpec(node), this.agentPid(node), this.config.grpcPort);
        return `partitioned ${node}: its agent cannot reach the apiserver (127.0.0.1:${this.config.grpcPort}); it and its pods keep running (\`k8ts chaos heal ${node}\`)`;
      case 'heal':
        return heal(this.partitionSpec(node)) ? `healed ${node}: its agent reaches the apiserver again` : `${node} was not partitioned`;
    }
  }

  /** A whole machine: power lost, or its LAN link cut and restored. */
  private async machineFault(fault: 'kill-node' | 'partition' | 'heal', m: Machine): Promise<string> {
    switch (fault) {
      case 'kill-node': {
        for (const name of machineProcessNames(m.node)) signalProcess(this.home, name, 'SIGKILL');
        const killed = powerOff(m);
        return `machine ${m.node} lost: its agent, podnet and proxy, its engine and every container (${killed} process(es)) killed (\`k8ts chaos restart ${m.node}\` powers it on)`;
      }
      case 'partition':
        await cutLan(m);
        return `partitioned ${m.node}: its LAN link ${m.veth} is down; its agent cannot reach the apiserver and its pods cannot be reached (\`k8ts chaos heal ${m.node}\`)`;
      case 'heal':
        return (await restoreLan(m)) ? `healed ${m.node}: its LAN link ${m.veth} is up again` : `${m.node} was not partitioned`;
    }
  }

  /** A machine whose engine is off is powered on again before its processes start. */
  private async powerOnMachinesOf(names: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const m of this.machines?.machines ?? []) {
      if (!names.some((n) => machineProcessNames(m.node).includes(n))) continue;
      if (!poweredOn(m)) {
        await ensureMachine(this.machines!, m);
        out.push(`powered on ${m.node}`);
      }
    }
    return out;
  }

  async isPartitioned(node: string): Promise<boolean> {
    const m = this.machineOf(node);
    return m ? lanCut(m) : isPartitioned(this.partitionSpec(node));
  }

  /** The process names of a component's replicas (scheduler → scheduler-1, scheduler-2). */
  replicas(component: string): string[] {
    const procs = listProcesses(this.home);
    return procs.filter((p) => p === component || (p.startsWith(`${component}-`) && /^\d+$/.test(p.slice(component.length + 1)))).sort();
  }

  /** The process name of the replica holding the component's Lease. */
  async leader(component: string): Promise<string | undefined> {
    const lease = LEADER_LEASES[component];
    if (!lease) return undefined;
    const a = await this.api();
    trustCertificate(a.ca!);
    const l = await apiGet(a.url, a.token, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`).catch(() => undefined);
    const holder: string = l?.spec?.holderIdentity ?? '';
    if (!holder) return undefined;
    return this.replicas(component).find((p) => holderIsProcess(holder, p, readPid(this.home, p)));
  }

  private async resolve(component: string): Promise<string> {
    const comps = await this.components();
    const nodes = await this.nodes();
    if (!comps.includes(component) && !nodes.includes(component)) throw new Error(`unknown component ${component}; one of ${[...comps.filter((c) => !nodes.includes(c)), ...nodes].join(', ')}`);
    if (LEADER_LEASES[component] && !listProcesses(this.home).includes(component)) {
      const leader = await this.leader(component);
      if (!leader) throw new Error(`${component} has no leader right now (its Lease kube-system/${LEADER_LEASES[component]} is free or held by a replica that is gone)`);
      return leader;
    }
    return component;
  }

  async kill(component: string): Promise<string> {
    const name = await this.resolve(component);
    if (runningPid(this.home, name) === undefined) throw new Error(`${name} is not running (\`k8ts chaos restart ${name}\` starts it)`);
    signalProcess(this.home, name, 'SIGKILL');
    return name === component ? `killed ${name}` : `killed ${name}, the leading ${component}`;
  }

  async restart(component: string): Promise<string> {
    let names: string[];
    if (LEADER_LEASES[component] && !listProcesses(this.home).includes(component)) {
      const dead = this.replicas(component).filter((p) => runningPid(this.home, p) === undefined);
      names = dead.length ? dead : [await this.resolve(component)];
    } else names = [await this.resolve(component)];
    // A machine's node is its agent, podnet and proxy, on its engine powered on again.
    const machine = this.machineOf(names[0]!);
    if (names.length === 1 && machine) names = machineProcessNames(machine.node).filter((n) => listProcesses(this.home).includes(n));
    const out = await this.powerOnMachinesOf(names);
    for (const name of names) {
      await stopProcess(this.home, name, 3000);
      out.push(`restarted ${name} (pid ${restartDetached(this.home, name)})`);
    }
    return out.join('\n');
  }

  async undoAll(): Promise<void> {
    for (const node of healAll(partitionChain(this.config), this.config.network)) void node;
    for (const m of this.machines?.machines ?? []) await restoreLan(m);
    await this.powerOnMachinesOf(listProcesses(this.home).filter((n) => runningPid(this.home, n) === undefined));
    for (const name of listProcesses(this.home)) {
      const pid = readPid(this.home, name);
      if (pid !== undefined && isAlive(pid)) {
        if (isStopped(pid)) process.kill(-pid, 'SIGCONT');
      } else restartDetached(this.home, name);
    }
  }

  /** The embedded cluster has no supervisor: a drill restarts what exited, naming it. */
  async supervise(): Promise<string[]> {
    const dead = listProcesses(this.home).filter((n) => runningPid(this.home, n) === undefined);
    await this.powerOnMachinesOf(dead);
    for (const n of dead) restartDetached(this.home, n);
    return dead;
  }

  async partitioned(): Promise<string[]> {
    const cut: string[] = [];
    for (const m of this.machines?.machines ?? []) if (await lanCut(m)) cut.push(m.node);
    return [...partitionedNodes(partitionChain(this.config)), ...cut];
  }
}

/** Scheduler replicas are started with `--identity <process name>`; controller-manager identities carry their pid. */
export function holderIsProcess(holder: string, process: string, pid: number | undefined): boolean {
  if (holder === process || holder.endsWith(`_${process}`)) return true;
  return pid !== undefined && holder.split('_').includes(String(pid));
}

function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return false;
  }
}
