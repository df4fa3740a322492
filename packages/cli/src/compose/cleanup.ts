// Everything a compose cluster leaves behind, removed in an order where nothing recreates what
// was just removed: agents first (they would restart pods), then the pod containers (pods
// outlive their agent, as with a kubelet, and hold the network), Compose's own containers and
// volumes, the network, the proxy's host rules and routes, and the agents' state on the host.
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type Docker from 'dockerode';
import { compose } from './command.js';
import { docker } from './containers.js';
import { removeNetwork } from '../docker-cleanup.js';
import { composeNodes, type ComposeSettings } from './settings.js';
import { DIST_NODE_FLAGS } from '../../../../scripts/build.mjs';

const NODE = 'io.k8ts.node';
const SANDBOX = 'io.k8ts.sandbox-id';

/**
 * Pod containers of this cluster: labelled for one of its nodes and either attached to its
 * network (sandboxes) or joined to such a sandbox. Node names alone are not enough: `k8ts up`
 * names its nodes agent-N too.
 */
export async function composePodContainers(s: ComposeSettings): Promise<Docker.ContainerInfo[]> {
  const nodes = composeNodes(s);
  const all = await docker().listContainers({ all: true, filters: { label: [NODE] } });
  const mine = all.filter((c) => nodes.includes(c.Labels[NODE] ?? ''));
  const netId = (await docker().listNetworks({ filters: { name: [s.network] } })).find((n) => n.Name === s.network)?.Id;
  const onNet = (c: Docker.ContainerInfo) => Object.entries(c.NetworkSettings?.Networks ?? {}).some(([name, n]) => name === s.network || (netId && n.NetworkID === netId));
  const sandboxes = new Set(mine.filter(onNet).map((c) => c.Id));
  return mine.filter((c) => sandboxes.has(c.Id) || sandboxes.has(c.Labels[SANDBOX] ?? '') || [...sandboxes].some((id) => c.HostConfig?.NetworkMode === `container:${id}`));
}

export async function removePodContainers(s: ComposeSettings): Promise<number> {
  const list = await composePodContainers(s);
  // Apps before sandboxes: a sandbox cannot go while a container shares its namespaces.
  const apps = list.filter((c) => !(c.Labels['io.k8ts.container.kind'] === 'sandbox'));
  const sandboxes = list.filter((c) => c.Labels['io.k8ts.container.kind'] === 'sandbox');
  for (const group of [apps, sandboxes]) {
    await Promise.all(group.map((c) => docker().getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  }
  return list.length;
}

/** The proxy's chains, jump rules and routes, removed from a throw-away container on the host network. */
export async function cleanupProxyRules(s: ComposeSettings, image = 'k8ts/k8ts:dev'): Promise<void> {
  const d = docker();
  const stateDir = `${s.stateDir}/proxy`;
  const c = await d.createContainer({
    Image: image,
    // As the proxy service: remount /proc/sys writable to put route_localnet back.
    Entrypoint: ['sh', '-c', `mount -o remount,rw,bind /proc/sys && exec node ${DIST_NODE_FLAGS.join(' ')} "$@"`, 'proxy'],
    Cmd: ['packages/proxy/dist/main.js', '--cleanup', '--chain-prefix', s.chainPrefix, '--service-cluster-ip-range', s.serviceRange, '--load-balancer-pool', s.lbPool, '--state-dir', stateDir],
    Labels: { 'io.k8ts.compose.cleanup': s.project },
    HostConfig: { NetworkMode: 'host', CapAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'], SecurityOpt: ['apparmor:unconfined'], Binds: [`${stateDir}:${stateDir}`] },
  });
  try {
    await c.start();
    const r = (await c.wait()) as { StatusCode: number };
    if (r.StatusCode !== 0) throw new Error(`proxy --cleanup exited ${r.StatusCode}`);
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

export interface DownReport {
  /** Nothing of this cluster was found: no container, pod, network, rule or state. */
  nothing: boolean;
  pods: number;
  network: boolean;
  errors: string[];
}

/** Whether anything of the cluster is left; proxy chains only when iptables can be read here. */
export async function composeLeftovers(s: ComposeSettings): Promise<boolean> {
  const d = docker();
  const containers = await d.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${s.project}`] } });
  const nets = (await d.listNetworks({ filters: { name: [s.network] } })).filter((n) => n.Name === s.network);
  if (containers.length || nets.length || existsSync(s.stateDir) || (await composePodContainers(s)).length) return true;
  const rules = spawnSync('iptables-save', [], { encoding: 'utf8', timeout: 10_000 });
  return rules.status !== 0 || rules.stdout.includes(`:${s.chainPrefix}-`);
}

export async function composeDown(s: ComposeSettings, o: { keepState?: boolean } = {}): Promise<DownReport> {
  if (!(await composeLeftovers(s))) return { nothing: true, pods: 0, network: false, errors: [] };
  const errors: string[] = [];
  const step = async <T>(what: string, f: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
      return fallback;
    }
  };
  // Killed, not stopped: nothing the cluster holds outlives `down -v`, and the proxy's rules
  // are removed below whether or not it cleaned up on its way out.
  await step('stop agents', () => compose(s, ['kill', 'agent-1', 'agent-2', 'agent-3'], { timeoutMs: 60_000 }), '');
  const pods = await step('remove pod containers', () => removePodContainers(s), 0);
  await step('stop the cluster', () => compose(s, ['kill'], { timeoutMs: 60_000 }), '');
  await step('compose down', () => compose(s, ['down', '-v', '--remove-orphans', '--timeout', '5'], { timeoutMs: 120_000 }), '');
  await step('proxy rules', () => cleanupProxyRules(s), undefined);
  // A network Compose could not remove (a container still attached) goes with its last pods.
  const network = await step(
    'network',
    async () => {
      await removePodContainers(s);
      return removeNetwork(s.network);
    },
    false,
  );
  if (!o.keepState) {
    // Written by containers as root; removing it needs root on the host, or a container.
    await step('state', () => removeStateDir(s), undefined);
  }
  return { nothing: false, pods, network, errors };
}

async function removeStateDir(s: ComposeSettings): Promise<void> {
  try {
    rmSync(s.stateDir, { recursive: true, force: true });
    return;
  } catch {
    /* not root: let a container delete it */
  }
  const c = await docker().createContainer({
    Image: 'k8ts/k8ts:dev',
    Entrypoint: ['sh', '-c', 'rm -rf /x/* /x/.[!.]*; true'],
    HostConfig: { Binds: [`${s.stateDir}:/x`] },
  });
  try {
    await c.start();
    await c.wait();
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
  rmSync(s.stateDir, { recursive: true, force: true });
}
