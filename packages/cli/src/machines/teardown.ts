// Everything `up --machines` made, removed by name whether or not `up` finished: the engines
// (their containers first, then dockerd and its containerd, their mounts and folders), the
// namespaces (their veths, routes and rules go with them), the LAN switch's namespace (the
// control plane's port on it, and the host's routes through that, go with it) and the host's
// FORWARD rules, found by their comment.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine, MachinesLayout } from './layout.js';
import { engineClient } from './setup.js';
import { run, tryRun } from './shell.js';
import { alive, enginePids, runtimePids } from './engine-processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

async function stopEngine(m: Machine): Promise<number> {
  let removed = 0;
  if (existsSync(m.socket)) {
    const docker = engineClient(m);
    const list = await docker.listContainers({ all: true }).catch(() => []);
    // Whatever a removal leaves (one in progress, a sandbox still joined) goes with the engine's data root.
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    removed = list.length;
  }
  // dockerd stops its own containerd; the group (nsenter exec'd dockerd as its leader) is killed only if it hangs.
  const pids = enginePids(m);
  for (const p of pids) signal(p, 'SIGTERM', false);
  const deadline = Date.now() + 15_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const p of pids.filter(alive)) signal(p, 'SIGKILL', true);
  // containerd and its shims of this engine, should any outlive it.
  for (const p of runtimePids(m)) signal(p, 'SIGKILL', false);
  return removed;
}

/** Unmounts whatever is mounted below `dir`, deepest first (a killed dockerd leaves its overlays and netns files). */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((p): p is string => !!p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const p of mounts) await tryRun('umount', ['-l', p]);
}

export interface TeardownResult {
  engines: number;
  containers: number;
  namespaces: number;
  /** The LAN switch (its namespace), or an older `up`'s LAN bridge. */
  lan: boolean;
  rules: number;
}

export async function teardownMachines(l: MachinesLayout, machinesDir: string): Promise<TeardownResult> {
  const r: TeardownResult = { engines: 0, containers: 0, namespaces: 0, lan: false, rules: 0 };
  const links = await run('ip', ['-o', 'link', 'show']).catch(() => '');
  const hasLink = (name: string) => links.includes(` ${name}@`) || links.includes(` ${name}:`);
  const present = l.machines.filter((m) => existsSync(m.nsPath) || existsSync(m.dir) || existsSync(m.execRoot) || existsSync(m.proxyStateDir) || hasLink(m.veth));
  await Promise.all(
    present.map(async (m) => {
      const had = enginePids(m).length > 0;
      r.containers += await stopEngine(m);
      if (had) r.engines++;
      await unmountBelow(m.execRoot);
      await unmountBelow(m.dir);
      rmSync(m.execRoot, { recursive: true, force: true });
      rmSync(m.proxyStateDir, { recursive: true, force: true });
      if (existsSync(m.nsPath) || (await tryRun('ip', ['link', 'show', m.veth]))) {
        await tryRun('ip', ['link', 'del', m.veth]);
        if (await tryRun('ip', ['netns', 'del', m.netns])) r.namespaces++;
      }
    }),
  );
  await unmountBelow(machinesDir);
  rmSync(machinesDir, { recursive: true, force: true });
  const switchGone = existsSync(l.lan.nsPath) && (await tryRun('ip', ['netns', 'del', l.lan.netns]));
  // The host's port goes with its peer; a bridge of that name is the LAN of an older `up`.
  const hostLinkGone = hasLink(l.hostLink) && (await tryRun('ip', ['link', 'del', l.hostLink]));
  r.lan = switchGone || hostLinkGone;
  for (const [table, chain] of [['filter', 'FORWARD'], ['nat', 'POSTROUTING']] as const) {
    const rules = (await run('iptables', ['-w', '-t', table, '-S', chain]).catch(() => '')).split('\n').filter((s) => s.includes(`--comment ${l.ruleComment}`) || s.includes(`--comment "${l.ruleComment}"`));
    // iptables -S quotes the comment; ours has no spaces, so the words split plainly.
    for (const rule of rules) if (await tryRun('iptables', ['-w', '-t', table, ...rule.replace(/^-A /, '-D ').replace(/"/g, '').split(' ')])) r.rules++;
  }
  return r;
}

export const machinesDirOf = (homeDir: string) => join(homeDir, 'machines');
