// Faults of a whole machine of `k8ts up --machines N`, as they happen to a real host: power
// lost (its engine, containerd, shims and every container process die at once; nothing is
// told to stop; `ensureMachine` powers it on again, its containers exited as after a reboot),
// and its LAN link cut and restored (the agent, podnet and proxy lose the apiserver
// and the pods lose the other machines alike).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './layout.js';
import { enginePids, runtimePids } from './engine-processes.js';
import { inNetns, tryInNetns } from './shell.js';

/** The processes `up` runs for a machine's node: its agent, podnet and proxy. */
export const machineProcessNames = (node: string): string[] => [node, `podnet-${node}`, `proxy-${node}`];

/**
 * Every process in the machine's cgroup subtree (dockerd is started with --cgroup-parent
 * /<netns>, so its containers are there): on cgroup v2 and on v1's pids hierarchy.
 */
function cgroupPids(m: Machine): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    try {
      for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (Number(p) > 0) pids.add(Number(p));
      for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(join(dir, d.name));
    } catch {
      /* the group went away meanwhile */
    }
  };
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified']) walk(join(root, m.netns));
  return [...pids];
}

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
};

/** SIGKILL to the engine, its runtime and every container process; returns how many were killed. */
export function powerOff(m: Machine): number {
  const pids = new Set([...enginePids(m), ...runtimePids(m), ...cgroupPids(m)]);
  for (const p of pids) kill(p);
  // A process forked between the listing and the kill (a shim restarting a task) goes too.
  for (const p of cgroupPids(m)) kill(p);
  return pids.size;
}

/** Is its engine running? */
export function poweredOn(m: Machine): boolean {
  return enginePids(m).length > 0;
}

/** Takes its port on the LAN switch down: nothing reaches the machine and nothing leaves it. */
export async function cutLan(m: Machine): Promise<void> {
  await inNetns(m.switchNsPath, 'ip', ['link', 'set', m.veth, 'down']);
}

/** Brings it back; false when it was not cut. */
export async function restoreLan(m: Machine): Promise<boolean> {
  if (!(await lanCut(m))) return false;
  await inNetns(m.switchNsPath, 'ip', ['link', 'set', m.veth, 'up']);
  return true;
}

/** Its port on the switch exists and is administratively down. */
export async function lanCut(m: Machine): Promise<boolean> {
  if (!(await tryInNetns(m.switchNsPath, 'ip', ['link', 'show', m.veth]))) return false;
  const flags = /<([^>]*)>/.exec(await inNetns(m.switchNsPath, 'ip', ['-o', 'link', 'show', m.veth]))?.[1]?.split(',') ?? [];
  return !flags.includes('UP');
}
