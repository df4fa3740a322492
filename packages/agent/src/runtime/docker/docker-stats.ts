// One container's resource use from Docker's stats endpoint, read once (one-shot: no
// second sample, so no one-second wait). The working set is cAdvisor's: memory usage less
// the inactive file pages the kernel can drop at once (cgroup v2 `inactive_file`, v1
// `total_inactive_file`), never below zero.
import type Docker from 'dockerode';
import type { ContainerStats } from '../container-runtime.js';
import { statusCode } from './docker-errors.js';

interface DockerStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

export function statsFromDocker(s: DockerStats): ContainerStats | undefined {
  const total = s.cpu_stats?.cpu_usage?.total_usage;
  const usage = s.memory_stats?.usage;
  if (typeof total !== 'number' || typeof usage !== 'number') return undefined; // not running
  const st = s.memory_stats?.stats ?? {};
  const inactive = st.inactive_file ?? st.total_inactive_file ?? 0;
  const read = s.read ? Date.parse(s.read) : NaN;
  return { cpuSeconds: total / 1e9, workingSetBytes: Math.max(0, usage - inactive), timestampMs: Number.isNaN(read) || read <= 0 ? Date.now() : read };
}

export async function dockerStats(docker: Docker, id: string): Promise<ContainerStats | undefined> {
  if (!id) return undefined;
  try {
    const s = (await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as DockerStats;
    return statsFromDocker(s);
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}
