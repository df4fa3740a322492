// `k8ts up --machines N`: the LAN bridge, then per machine a network namespace on it and a
// Docker engine inside it, then the cluster's images copied into each engine. Every step
// checks first, so `up` after a half-done `up` completes it.
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import type { Machine, MachinesLayout } from './layout.js';
import { inNetns, run, tryRun } from './shell.js';

export async function ensureLan(l: MachinesLayout): Promise<void> {
  if (!(await tryRun('ip', ['link', 'show', l.bridge]))) await run('ip', ['link', 'add', l.bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'replace', `${l.hostIP}/24`, 'dev', l.bridge]);
  await run('ip', ['link', 'set', l.bridge, 'up']);
  // Docker's FORWARD policy is DROP and bridged frames pass iptables (br_netfilter): the
  // machines' traffic among themselves and to the host's routes is accepted by name.
  for (const dir of ['-i', '-o']) {
    const rule = [dir, l.bridge, '-m', 'comment', '--comment', l.ruleComment, '-j', 'ACCEPT'];
    if (!(await tryRun('iptables', ['-w', '-C', 'FORWARD', ...rule]))) await run('iptables', ['-w', '-I', 'FORWARD', '1', ...rule]);
  }
  // Bridged frames pass the host's nat table too, where Docker masquerades whatever leaves the
  // cluster's /16 for another interface: pod to pod across the LAN must keep its addresses.
  // First in the chain, put back there at every `up`.
  // The machines' own traffic among themselves (VXLAN's UDP) likewise.
  for (const range of [l.lanSubnet, l.clusterCidr]) {
    const keep = ['-s', range, '-d', range, '-m', 'comment', '--comment', l.ruleComment, '-j', 'RETURN'];
    while (await tryRun('iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', ...keep]));
    await run('iptables', ['-w', '-t', 'nat', '-I', 'POSTROUTING', '1', ...keep]);
  }
}

export async function ensureMachineNetwork(l: MachinesLayout, m: Machine): Promise<void> {
  if (!existsSync(m.nsPath)) await run('ip', ['netns', 'add', m.netns]);
  if (!(await tryRun('ip', ['link', 'show', m.veth]))) {
    // A half-made pair (crash between the two steps) is removed first.
    await tryRun('nsenter', [`--net=${m.nsPath}`, 'ip', 'link', 'del', 'eth0']);
    await run('ip', ['link', 'add', m.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.netns]);
  }
  await run('ip', ['link', 'set', m.veth, 'master', l.bridge, 'up']);
  await inNetns(m.nsPath, 'ip', ['link', 'set', 'lo', 'up']);
  await inNetns(m.nsPath, 'ip', ['addr', 'replace', `${m.lanIP}/24`, 'dev', 'eth0']);
  await inNetns(m.nsPath, 'ip', ['link', 'set', 'eth0', 'up']);
  // Everything off the LAN (the control plane's addresses, Service VIPs) through the host.
  await inNetns(m.nsPath, 'ip', ['route', 'replace', 'default', 'via', l.hostIP]);
}

/** A machine as `up` makes it (and powers it on again): its namespace and LAN link, then its engine. */
export async function ensureMachine(l: MachinesLayout, m: Machine): Promise<void> {
  await ensureMachineNetwork(l, m);
  await ensureEngine(m, l.registry);
}

export function engineClient(m: Machine): Docker {
  return new Docker({ socketPath: m.socket });
}

async function engineUp(m: Machine): Promise<boolean> {
  return existsSync(m.socket) && (await engineClient(m).ping().then(() => true, () => false));
}

/**
 * dockerd inside the namespace through nsenter (`ip netns exec` remounts /sys and dockerd then
 * fails with "Devices cgroup isn't mounted"), with roots, socket, pid file and cgroup parent
 * of its own; no default bridge (the agent makes the pod bridge). The cluster registry speaks
 * plain HTTP on the LAN (as kind's local registry does): this engine is told to allow it.
 */
export async function ensureEngine(m: Machine, registry?: string, timeoutMs = 60_000): Promise<void> {
  if (await engineUp(m)) return;
  mkdirSync(m.dataRoot, { recursive: true });
  mkdirSync(m.execRoot, { recursive: true });
  const out = openSync(m.log, 'a');
  const child = spawn(
    'nsenter',
    [`--net=${m.nsPath}`, 'dockerd', '--data-root', m.dataRoot, '--exec-root', m.execRoot, '-H', `unix://${m.socket}`, '--pidfile', m.pidfile, '--bridge=none', '--cgroup-parent', `/${m.netns}`, ...(registry ? ['--insecure-registry', registry] : [])],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await engineUp(m))) {
    if (Date.now() > deadline) throw new Error(`the Docker engine of ${m.node} did not answer on ${m.socket} within ${timeoutMs / 1000}s (log: ${m.log})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Until the cluster has a registry: the host engine's images, saved once, loaded into each engine that lacks one. */
export async function loadImages(machines: Machine[], tags: string[], tarPath: string): Promise<void> {
  const missing = async (m: Machine) => (await Promise.all(tags.map((t) => engineClient(m).getImage(t).inspect().then(() => false, () => true)))).some(Boolean);
  const todo = (await Promise.all(machines.map(async (m) => ((await missing(m)) ? m : undefined)))).filter((m): m is Machine => !!m);
  if (!todo.length) return;
  await run('docker', ['save', '-o', tarPath, ...tags], 300_000);
  await Promise.all(todo.map((m) => run('docker', ['-H', `unix://${m.socket}`, 'load', '-i', tarPath], 300_000)));
}
