// The cluster `docker compose up` runs, as chaos commands and drills see it. Every part is a
// container of the compose project: node faults act on an agent's container (and, for a lost
// machine, on its pod containers), component faults on the container of that component, the
// leading replica for leader-elected ones and the raft leader for plain `etcd`.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { apiGet, trustCertificate } from '../api.js';
import { composeAccess } from '../compose/access.js';
import { docker, serviceContainer, requireServiceContainer } from '../compose/containers.js';
import { composePodContainers } from '../compose/cleanup.js';
import { resolveSettings } from '../compose/project.js';
import { agentService, composeNodes, type ComposeSettings } from '../compose/settings.js';
import { heal, isPartitioned, partition, partitionedAgents } from '../compose/partition.js';
import { COMPOSE_ETCD_SERVICES, etcdMemberStatus, readEtcdHealthcheckClient, type EtcdClientPem } from '../compose/etcd.js';
import type { ApiAccess, ClusterTarget, Fault } from './types.js';

/** Leader-elected components, the Lease each holds in kube-system and their compose services. */
const LEADERS: Record<string, { lease: string; services: string[] }> = {
  scheduler: { lease: 'k8ts-scheduler', services: ['scheduler-1', 'scheduler-2'] },
  'controller-manager': { lease: 'k8ts-controller-manager', services: ['controller-manager-1', 'controller-manager-2'] },
};
const ETCD = COMPOSE_ETCD_SERVICES;
/** Services a fault may hit (init and info are one-shot). */
const SERVICES = ['apiserver', ...ETCD, ...LEADERS.scheduler!.services, ...LEADERS['controller-manager']!.services, 'dns', 'ingress', 'proxy', 'agent-1', 'agent-2', 'agent-3'];

export async function openComposeTarget(project?: string): Promise<ComposeTarget> {
  const s = await resolveSettings(project);
  await requireServiceContainer(s.project, 'apiserver');
  return new ComposeTarget(s);
}

export class ComposeTarget implements ClusterTarget {
  readonly kind = 'compose' as const;
  private access?: ApiAccess;
  private etcdClient?: EtcdClientPem;

  constructor(readonly settings: ComposeSettings) {}

  async api(): Promise<ApiAccess> {
    if (this.access) return this.access;
    const a = await composeAccess(this.settings);
    const kubeconfig = join(tmpdir(), `k8ts-compose-${this.settings.project}.kubeconfig`);
    writeFileSync(kubeconfig, a.kubeconfig, { mode: 0o600 });
    return (this.access = { url: a.url, grpc: a.grpc, token: a.token, ca: a.ca, kubeconfig });
  }

  async nodes(): Promise<string[]> {
    return composeNodes(this.settings);
  }

  async components(): Promise<string[]> {
    return [...Object.keys(LEADERS), 'etcd', ...SERVICES.filter((s) => !s.startsWith('agent-')), ...composeNodes(this.settings)].sort();
  }

  private agentService(node: string): string {
    const svc = agentService(this.settings, node);
    if (!svc) throw new Error(`no node named ${node}; the nodes are ${composeNodes(this.settings).join(', ')}`);
    return svc;
  }

  private async container(service: string): Promise<Docker.ContainerInfo> {
    return requireServiceContainer(this.settings.project, service);
  }

  private async running(service: string): Promise<Docker.ContainerInfo> {
    const c = await this.container(service);
    if (c.State !== 'running') throw new Error(`${service} is ${c.State} (\`k8ts chaos restart ${service}\` starts it)`);
    return c;
  }

  async nodeFault(fault: Fault, node: string): Promise<string> {
    const svc = this.agentService(node);
    switch (fault) {
      case 'kill-agent': {
        const c = await this.running(svc);
        await docker().getContainer(c.Id).kill();
        return `killed the agent container of ${node} (${svc}); its pods keep running (as when a kubelet crashes)`;
      }
      case 'kill-node': {
        const c = await this.container(svc);
        if (c.State === 'running' || c.State === 'paused') await docker().getContainer(c.Id).kill();
        const pods = (await composePodContainers(this.settings)).filter((p) => p.Labels['io.k8ts.node'] === node && p.State === 'running');
        await Promise.all(pods.map((p) => docker().getContainer(p.Id).kill().catch(() => undefined)));
        return `node ${node} lost: agent container and ${pods.length} pod container(s) killed (\`k8ts chaos --compose restart ${node}\` brings the machine back)`;
      }
      case 'pause-agent': {
        const c = await this.running(svc);
        await docker().getContainer(c.Id).pause();
        return `paused the agent container of ${node}: no heartbeats, pods keep running (\`k8ts chaos --compose resume ${node}\`)`;
      }
      case 'resume': {
        const c = await this.container(svc);
        if (c.State !== 'paused') return `the agent of ${node} was not paused`;
        await docker().getContainer(c.Id).unpause();
        return `resumed the agent container of ${node}`;
      }
      case 'partition': {
        const c = await this.running(svc);
        await partition(this.settings, c);
        return `partitioned ${node}: its agent container is off the network ${this.settings.network} and cannot reach the apiserver; it and its pods keep running (\`k8ts chaos --compose heal ${node}\`)`;
      }
      case 'heal': {
        const c = await this.container(svc);
        return (await heal(this.settings, c)) ? `healed ${node}: its agent container is back on ${this.settings.network}` : `${node} was not partitioned`;
      }
    }
  }

  async isPartitioned(node: string): Promise<boolean> {
    const c = await serviceContainer(this.settings.project, this.agentService(node));
    return !!c && isPartitioned(this.settings, c);
  }

  /** The compose service of a replica holding a component's Lease (hostnames are the service names). */
  async leader(component: string): Promise<string | undefined> {
    const l = LEADERS[component];
    if (!l) return undefined;
    const a = await this.api();
    trustCertificate(a.ca!);
    const lease = await apiGet(a.url, a.token, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${l.lease}`).catch(() => undefined);
    const holder: string = lease?.spec?.holderIdentity ?? '';
    return l.services.find((s) => holder === s || holder.startsWith(`${s}_`));
  }

  /** The etcd member that leads raft now, asked over TLS (the healthcheck client) through its client port on the cluster network. */
  async etcdLeader(): Promise<string | undefined> {
    const ids = new Map<string, string>();
    let leader: string | undefined;
    for (const svc of ETCD) {
      const c = await serviceContainer(this.settings.project, svc);
      const ip = c && c.State === 'running' ? Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress : undefined;
      if (!ip) continue;
      this.etcdClient ??= await readEtcdHealthcheckClient(c!.Id).catch(() => undefined);
      if (!this.etcdClient) continue;
      const st = await etcdMemberStatus(ip, svc, this.etcdClient);
      if (st?.memberId) ids.set(st.memberId, svc);
      leader ??= st?.leader;
    }
    return leader ? ids.get(leader) : undefined;
  }

  private async resolve(component: string): Promise<string> {
    const nodes = composeNodes(this.settings);
    if (nodes.includes(component)) return this.agentService(component);
    if (SERVICES.includes(component)) return component;
    if (component === 'etcd') {
      const leader = await this.etcdLeader();
      if (!leader) throw new Error('etcd has no leader right now (no member answered with one)');
      return leader;
    }
    if (LEADERS[component]) {
      const leader = await this.leader(component);
      if (!leader) throw new Error(`${component} has no leader right now (its Lease kube-system/${LEADERS[component]!.lease} is free or held by a replica that is gone)`);
      return leader;
    }
    throw new Error(`unknown component ${component}; one of ${(await this.components()).join(', ')}`);
  }

  async kill(component: string): Promise<string> {
    const svc = await this.resolve(component);
    const c = await this.running(svc);
    await docker().getContainer(c.Id).kill();
    return svc === component ? `killed ${svc}` : `killed ${svc}, the leading ${component}`;
  }

  async restart(component: string): Promise<string> {
    let services: string[];
    const group = LEADERS[component]?.services ?? (component === 'etcd' ? ETCD : undefined);
    if (group) {
      const dead: string[] = [];
      for (const s of group) if ((await serviceContainer(this.settings.project, s))?.State !== 'running') dead.push(s);
      services = dead.length ? dead : [await this.resolve(component)];
    } else services = [await this.resolve(component)];
    const out: string[] = [];
    for (const svc of services) {
      const c = docker().getContainer((await this.container(svc)).Id);
      const state = (await c.inspect()).State;
      if (state.Paused) await c.unpause();
      if (state.Running) await c.restart({ t: 0 });
      else await c.start();
      out.push(`restarted ${svc}`);
    }
    return out.join('\n');
  }

  async undoAll(): Promise<void> {
    for (const svc of await partitionedAgents(this.settings)) await heal(this.settings, await this.container(svc));
    for (const svc of SERVICES) {
      const info = await serviceContainer(this.settings.project, svc);
      if (!info) continue;
      const c = docker().getContainer(info.Id);
      if (info.State === 'paused') await c.unpause();
      else if (info.State !== 'running') await c.start();
    }
  }
}
