// The host processes of a machine's Docker engine, found by name so that they are found also
// when a pid file is lost: dockerd by its data root, containerd and its shims by the exec root.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { Machine } from './layout.js';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** dockerd processes of this machine, by its pid file and by its --data-root (a lost pid file). */
export function enginePids(m: Machine): number[] {
  const pids = new Set<number>();
  if (existsSync(m.pidfile)) {
    const p = Number(readFileSync(m.pidfile, 'utf8').trim());
    if (p > 0) pids.add(p);
  }
  for (const d of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('dockerd')) && argv.includes(m.dataRoot)) pids.add(Number(d));
    } catch {
      /* gone */
    }
  }
  return [...pids].filter(alive);
}

/** Processes whose command line names the engine's exec root: its containerd and shims. */
export function runtimePids(m: Machine): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(m.execRoot + '/') || cmd.includes(m.execRoot + '\0')) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
