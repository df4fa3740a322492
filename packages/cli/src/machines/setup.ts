// `k8ts up --machines N`: the LAN switch, then per machine a network namespace on it and a
// Docker engine inside it, then the cluster's images copied into each engine. Every step
// checks first, so `up` after a half-done `up` completes it.
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import type { Machine, MachinesLayout } from './layout.js';
import { inNetns, run, tryInNetns, tryRun } from './shell.js';

/** The bridge-netfilter switches, which Docker turns on, whose names differ only by family. */
const BRIDGE_NF = ['iptables', 'ip6tables', 'arptables'].map((t) => `/proc/sys/net/bridge/bridge-nf-call-${t}`);

/**
 * The LAN: its switch (a bridge in a namespace of its own), the control plane's port on it, and
 * the host's rules for what passes that port. Frames crossing the switch pass no iptables: with
 * the bridge in the host's namespace, Docker's br_netfilter made every frame between two
 * machines walk the host's FORWARD chains and conntrack, a cost no LAN between hosts has
 * (iperf3 from pod to pod across machines: 0.86 of the same machine's throughput, 0.97 without it).
 */
export async function ensureLan(l: MachinesLayout): Promise<void> {
  const sw = (args: string[]) => inNetns(l.lan.nsPath, 'ip', args);
  if (!existsSync(l.lan.nsPath)) await run('ip', ['netns', 'add', l.lan.netns]);
  if (!(await tryInNetns(l.lan.nsPath, 'ip', ['link', 'show', l.lan.bridge]))) await sw(['link', 'add', l.lan.bridge, 'type', 'bridge']);
  // br_netfilter is loaded first (Docker would load it later), since loading it turns it on in every namespace.
  await tryRun('modprobe', ['br_netfilter']);
  await inNetns(l.lan.nsPath, 'sh', ['-c', BRIDGE_NF.map((f) => `if [ -e ${f} ]; then echo 0 > ${f}; fi`).join('; ')]);
  await sw(['link', 'set', l.lan.bridge, 'up']);
  // The control plane's port. A bridge of that name is the LAN as `up` made it before the switch had its namespace.
  const hostLink = await run('ip', ['-d', '-o', 'link', 'show', l.hostLink]).catch(() => '');
  if (!/\bveth\b/.test(hostLink)) {
    if (hostLink) await run('ip', ['link', 'del', l.hostLink]);
    await tryInNetns(l.lan.nsPath, 'ip', ['link', 'del', 'host']);
    await run('ip', ['link', 'add', l.hostLink, 'type', 'veth', 'peer', 'name', 'host', 'netns', l.lan.netns]);
  }
  await sw(['link', 'set', 'host', 'master', l.lan.bridge, 'up']);
  await run('ip', ['addr', 'replace', `${l.hostIP}/24`, 'dev', l.hostLink]);
  await run('ip', ['link', 'set', l.hostLink, 'up']);
  // Docker's FORWARD policy is DROP: what the machines send through the control plane's host
  // (to Service VIPs, the registry, beyond) and what comes back is accepted by name.
  for (const dir of ['-i', '-o']) {
    const rule = [dir, l.hostLink, '-m', 'comment', '--comment', l.ruleComment, '-j', 'ACCEPT'];
    if (!(await tryRun('iptables', ['-w', '-C', 'FORWARD', ...rule]))) await run('iptables', ['-w', '-I', 'FORWARD', '1', ...rule]);
  }
  // Docker masquerades whatever leaves the cluster's /16 for another interface: traffic the host
  // routes between machines (pods, VXLAN's UDP) keeps its addresses. First in the chain, put back
  // there at every `up`.
  for (const range of [l.lanSubnet, l.clusterCidr]) {
    const keep = ['-s', range, '-d', range, '-m', 'comment', '--comment', l.ruleComment, '-j', 'RETURN'];
    while (await tryRun('iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', ...keep]));
    await run('iptables', ['-w', '-t', 'nat', '-I', 'POSTROUTING', '1', ...keep]);
  }
}

export async function ensureMachineNetwork(l: MachinesLayout, m: Machine): Promise<void> {
  if (!existsSync(m.nsPath)) await run('ip', ['netns', 'add', m.netns]);
  const sw = (args: string[]) => inNetns(m.switchNsPath, 'ip', args);
  if (!(await tryInNetns(m.switchNsPath, 'ip', ['link', 'show', m.veth]))) {
    // A half-made pair (crash between the two steps), or the host end of an older `up`'s LAN, is removed first.
    await tryInNetns(m.nsPath, 'ip', ['link', 'del', 'eth0']);
    await tryRun('ip', ['link', 'del', m.veth]);
    await sw(['link', 'add', m.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.netns]);
  }
  await sw(['link', 'set', m.veth, 'master', l.lan.bridge, 'up']);
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
