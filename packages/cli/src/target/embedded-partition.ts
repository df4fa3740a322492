// A network partition between one agent process and the apiserver, on one machine where both
// talk over loopback: the agent's process is moved into a cgroup (v2) of its own, and a DROP
// rule in a chain of the cluster's own matches that cgroup's packets to the apiserver's gRPC
// port. OUTPUT sees packets of established connections too, so open streams stop as well
// (gRPC keepalive notices within seconds); the agent and its pods keep running.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COMMENT = 'k8ts-partition:';

/** Where the cgroup v2 hierarchy is mounted (unified on a hybrid host), if it is. */
export function cgroup2Root(): string | undefined {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n');
  for (const m of mounts) {
    const [, dir, type] = m.split(' ');
    if (type === 'cgroup2' && dir) return dir;
  }
  return undefined;
}

function iptables(args: string[], check = true): { ok: boolean; out: string } {
  const r = spawnSync('iptables', ['-w', '5', ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`iptables is not available: ${r.error.message}`);
  if (check && r.status !== 0) throw new Error(`iptables ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return { ok: r.status === 0, out: r.stdout };
}

export interface PartitionSpec {
  /** The cluster's own chain, e.g. K8TS-PART. */
  chain: string;
  /** Names the cgroup so two clusters on one host do not share one. */
  cluster: string;
  node: string;
}

function cgroupName(s: PartitionSpec): string {
  return `k8ts-${s.cluster}-${s.node}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** What this machine lacks for a partition, or undefined when it has it all. */
export function partitionUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'partition needs root (iptables and cgroups)';
  if (!cgroup2Root()) return 'partition needs a cgroup v2 hierarchy mounted (none in /proc/mounts)';
  const r = spawnSync('iptables', ['-m', 'cgroup', '--help'], { encoding: 'utf8' });
  if (r.error || !/--path/.test(r.stdout)) return 'partition needs iptables with the cgroup match (--path)';
  return undefined;
}

function ensureChain(chain: string): void {
  if (!iptables(['-n', '-L', chain], false).ok) iptables(['-N', chain]);
  if (!iptables(['-C', 'OUTPUT', '-j', chain], false).ok) iptables(['-I', 'OUTPUT', '1', '-j', chain]);
}

export function isPartitioned(s: PartitionSpec): boolean {
  return partitionedNodes(s.chain).includes(s.node);
}

/** Nodes with a DROP rule in the chain. */
export function partitionedNodes(chain: string): string[] {
  const r = iptables(['-S', chain], false);
  if (!r.ok) return [];
  const out: string[] = [];
  for (const line of r.out.split('\n')) {
    const m = new RegExp(`${COMMENT}(\\S+?)"?\\s`).exec(line + ' ');
    if (m?.[1]) out.push(m[1].replace(/"$/, ''));
  }
  return out;
}

/** Cuts the agent (pid) off the apiserver's gRPC port. Idempotent. */
export function partition(s: PartitionSpec, pid: number, grpcPort: number): void {
  const why = partitionUnsupported();
  if (why) throw new Error(why);
  const root = cgroup2Root()!;
  const name = cgroupName(s);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
  ensureChain(s.chain);
  const comment = ['-m', 'comment', '--comment', `${COMMENT}${s.node}`, '-j', 'DROP'];
  // New sockets of the process carry the new cgroup; sockets opened before the move keep the
  // old one, so the agent's open connections are matched by their ports, both ways (the
  // apiserver's packets to the agent are lost as well, as in a real partition).
  const rules = [['-m', 'cgroup', '--path', name, '-p', 'tcp', '--dport', String(grpcPort), ...comment]];
  for (const port of openPorts(pid, grpcPort)) {
    rules.push(['-p', 'tcp', '--sport', String(port), '--dport', String(grpcPort), ...comment]);
    rules.push(['-p', 'tcp', '--sport', String(grpcPort), '--dport', String(port), ...comment]);
  }
  for (const rule of rules) if (!iptables(['-C', s.chain, ...rule], false).ok) iptables(['-A', s.chain, ...rule]);
}

/** Local ports of the process's TCP connections to the apiserver port, from `ss`. */
function openPorts(pid: number, port: number): number[] {
  const r = spawnSync('ss', ['-Htnp', 'dport', '=', `:${port}`], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ss (iproute2) is needed to find the agent's open connections: ${r.error?.message ?? r.stderr}`);
  const out: number[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[3] ?? '';
    const p = Number(local.slice(local.lastIndexOf(':') + 1));
    if (p > 0) out.push(p);
  }
  return out;
}

/** Removes the node's rule and cgroup (its processes go back to the root cgroup). False when it was not partitioned. */
export function heal(s: PartitionSpec): boolean {
  let was = false;
  const r = iptables(['-S', s.chain], false);
  if (r.ok) {
    for (const line of r.out.split('\n')) {
      if (!line.startsWith(`-A ${s.chain} `) || !line.includes(`${COMMENT}${s.node}`)) continue;
      const m = /"?k8ts-partition:([^\s"]+)"?/.exec(line);
      if (m?.[1] !== s.node) continue;
      iptables(['-D', ...splitRule(line.slice(3))]);
      was = true;
    }
  }
  const root = cgroup2Root();
  if (root) {
    const dir = join(root, cgroupName(s));
    if (existsSync(dir)) {
      releaseCgroup(root, dir);
      was = true;
    }
  }
  removeChainIfEmpty(s.chain);
  return was;
}

/** Heals every node of the cluster (`k8ts down`, drills cleaning up). */
export function healAll(chain: string, cluster: string): string[] {
  const healed = new Set(partitionedNodes(chain));
  const root = cgroup2Root();
  const prefix = `k8ts-${cluster}-`.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (root && existsSync(root)) for (const d of readdirSync(root)) if (d.startsWith(prefix)) healed.add(d.slice(prefix.length));
  for (const node of healed) heal({ chain, cluster, node });
  removeChainIfEmpty(chain, true);
  return [...healed];
}

function removeChainIfEmpty(chain: string, force = false): void {
  const r = iptables(['-S', chain], false);
  if (!r.ok) return;
  const rules = r.out.split('\n').filter((l) => l.startsWith('-A '));
  if (rules.length && !force) return;
  while (iptables(['-D', 'OUTPUT', '-j', chain], false).ok);
  iptables(['-F', chain], false);
  iptables(['-X', chain], false);
}

function releaseCgroup(root: string, dir: string): void {
  // Back to the root cgroup, where `k8ts up` started them.
  for (let i = 0; i < 20; i++) {
    const pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    for (const p of pids) {
      try {
        writeFileSync(join(root, 'cgroup.procs'), `${p}\n`);
      } catch {
        /* exited meanwhile */
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch {
      /* a process was still being moved; try again */
    }
  }
  rmdirSync(dir);
}

/** `-A CHAIN -m comment --comment "a b" ...` back into argv (quotes from iptables -S). */
function splitRule(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2]!);
  return out;
}
