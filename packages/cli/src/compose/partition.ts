// A partitioned compose node: its agent container is disconnected from the cluster network,
// so it cannot reach the apiserver while it and its pods (on the host's engine, through the
// mounted socket) keep running. Healing connects it again with the address and aliases it had,
// kept in a small file beside the other temporary files, so other containers still find it.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { docker, serviceContainer } from './containers.js';
import type { ComposeSettings } from './settings.js';

interface Endpoint {
  ip?: string;
  aliases: string[];
}

function stateFile(s: ComposeSettings): string {
  return join(tmpdir(), `k8ts-compose-${s.project}-partitions.json`);
}

function readState(s: ComposeSettings): Record<string, Endpoint> {
  try {
    return JSON.parse(readFileSync(stateFile(s), 'utf8'));
  } catch {
    return {};
  }
}

function writeState(s: ComposeSettings, state: Record<string, Endpoint>): void {
  if (Object.keys(state).length === 0) rmSync(stateFile(s), { force: true });
  else writeFileSync(stateFile(s), JSON.stringify(state, null, 2) + '\n');
}

const serviceOf = (c: Docker.ContainerInfo) => c.Labels['com.docker.compose.service'] ?? c.Id;

/** A running agent container that is not on the cluster network. */
export function isPartitioned(s: ComposeSettings, c: Docker.ContainerInfo): boolean {
  return (c.State === 'running' || c.State === 'paused') && !Object.keys(c.NetworkSettings?.Networks ?? {}).includes(s.network);
}

export async function partition(s: ComposeSettings, c: Docker.ContainerInfo): Promise<void> {
  if (isPartitioned(s, c)) return;
  const full = await docker().getContainer(c.Id).inspect();
  const ep = full.NetworkSettings.Networks[s.network];
  const state = readState(s);
  state[serviceOf(c)] = { ip: ep?.IPAMConfig?.IPv4Address || ep?.IPAddress || undefined, aliases: (ep?.Aliases ?? []).filter((a: string) => !full.Id.startsWith(a)) };
  writeState(s, state);
  await docker().getNetwork(s.network).disconnect({ Container: c.Id, Force: true });
}

/** Reconnects; false when the container was on the network already. */
export async function heal(s: ComposeSettings, c: Docker.ContainerInfo): Promise<boolean> {
  const state = readState(s);
  const svc = serviceOf(c);
  const saved = state[svc] ?? { aliases: [svc] };
  delete state[svc];
  if (!isPartitioned(s, c)) {
    writeState(s, state);
    return false;
  }
  const net = docker().getNetwork(s.network);
  const connect = (ip?: string) => net.connect({ Container: c.Id, EndpointConfig: { Aliases: saved.aliases, ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}) } });
  // A pod may have been given the address meanwhile (pods and services share the range).
  await connect(saved.ip).catch(() => connect());
  writeState(s, state);
  return true;
}

/** Agent services cut off the network now. */
export async function partitionedAgents(s: ComposeSettings): Promise<string[]> {
  const out: string[] = [];
  for (const svc of ['agent-1', 'agent-2', 'agent-3']) {
    const c = await serviceContainer(s.project, svc);
    if (c && isPartitioned(s, c)) out.push(svc);
  }
  if (out.length === 0 && existsSync(stateFile(s))) rmSync(stateFile(s), { force: true });
  return out;
}
