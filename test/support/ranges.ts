// Address ranges for a test cluster of its own beside others on this machine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);

/** Three /16 second octets under 10.221–10.250 that no Docker network and no route uses. */
export async function freeOctets(docker: Docker): Promise<[number, number, number]> {
  const used = new Set<number>();
  for (const n of await docker.listNetworks()) {
    const full = await docker.getNetwork(n.Id).inspect().catch(() => undefined);
    for (const c of full?.IPAM?.Config ?? []) {
      const m = /^10\.(\d+)\./.exec(c.Subnet ?? '');
      if (m) used.add(Number(m[1]));
    }
  }
  for (const m of (await run('ip', ['-4', 'route', 'show'])).stdout.matchAll(/^10\.(\d+)\./gm)) used.add(Number(m[1]));
  // In random order: another suite may be picking at the same moment.
  const free = Array.from({ length: 30 }, (_, i) => 221 + i).filter((o) => !used.has(o)).sort(() => Math.random() - 0.5);
  if (free.length < 3) throw new Error('no three free 10.x.0.0/16 ranges between 10.221 and 10.250');
  return [free[0]!, free[1]!, free[2]!];
}
