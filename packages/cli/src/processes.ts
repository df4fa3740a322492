// The cluster's processes run detached from the CLI (so `k8ts up` returns), each with a pid
// file and a log file under the cluster home; `down` and `status` find them there.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, existsSync, unlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Home } from './home.js';
import { DIST_NODE_FLAGS, ensureBuilt } from '../../../scripts/build.mjs';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Components run from the compiled JavaScript (packages/<pkg>/dist, `pnpm build`): a process
// started through tsx holds its loader and esbuild too, ≈ 30–45 MiB more in each of a cluster's
// eleven. K8TS_FROM_SOURCE=1 runs the TypeScript through tsx instead, for debugging.
export const fromSource = (env: NodeJS.ProcessEnv = process.env): boolean => env.K8TS_FROM_SOURCE === '1';

/** `entry`: the main module's path in the package's src without extension (podnet: network/main). */
export function componentMain(pkg: string, source = fromSource(), entry = 'main'): string {
  return join(repoRoot, 'packages', pkg, source ? 'src' : 'dist', `${entry}${source ? '.ts' : '.js'}`);
}

/** node's arguments up to the component's own: its entry, loaded compiled or through tsx. */
export function componentNodeArgs(pkg: string, source = fromSource(), entry = 'main'): string[] {
  return [...(source ? ['--import', 'tsx'] : DIST_NODE_FLAGS), componentMain(pkg, source, entry)];
}

/**
 * Before starting compiled components: rebuilds the packages whose sources changed since
 * their last build (about a second); returns their names.
 */
export async function ensureCompiled(log?: (line: string) => void): Promise<string[]> {
  return fromSource() ? [] : ensureBuilt({ log });
}

export function componentExists(pkg: string): boolean {
  return existsSync(componentMain(pkg, true));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Components outlive `k8ts up`, so their parent is PID 1, which may reap them only seconds
  // after they exit: a zombie has finished.
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export function readPid(home: Home, name: string): number | undefined {
  const f = home.path('pids', `${name}.pid`);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

export function runningPid(home: Home, name: string): number | undefined {
  const pid = readPid(home, name);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export function listProcesses(home: Home): string[] {
  const dir = home.path('pids');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4)) : [];
}

/**
 * Starts `command args` detached. A k8ts component writes its pino logs to logs/<name>.log,
 * rotated by size (K8TS_LOG_FILE, see @k8ts/client's log-file.ts); whatever else reaches
 * stdout or stderr (a crash's stack, etcd's own log) is appended to logs/<name>.out.
 */
export function startDetached(home: Home, name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const out = openSync(home.path('logs', `${name}.out`), 'a');
  const child = spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, K8TS_LOG_FILE: home.path('logs', `${name}.log`), ...env },
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  child.unref();
  writeFileSync(home.path('pids', `${name}.pid`), `${child.pid}\n`);
  writeFileSync(home.path('pids', `${name}.cmd.json`), JSON.stringify({ command, args, env }) + '\n');
  return child.pid;
}

/** The arguments a process was last started with, if this home started it. */
export function recordedArgs(home: Home, name: string): string[] | undefined {
  const f = home.path('pids', `${name}.cmd.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')).args as string[]) : undefined;
}

/** Starts a process again exactly as it was last started (for `k8ts chaos restart`). */
export function restartDetached(home: Home, name: string): number {
  const f = home.path('pids', `${name}.cmd.json`);
  if (!existsSync(f)) throw new Error(`${name} was never started by this cluster home`);
  const { command, args, env } = JSON.parse(readFileSync(f, 'utf8'));
  return startDetached(home, name, command, args, env);
}

/** Sends a signal to a component's process group; false when it is not running. */
export function signalProcess(home: Home, name: string, signal: NodeJS.Signals): boolean {
  const pid = runningPid(home, name);
  if (pid === undefined) return false;
  killGroup(pid, signal);
  return true;
}

export interface ProcessSpec {
  name: string;
  pkg: string;
  args: string[];
  env?: Readonly<Record<string, string>>;
  nodeFlags?: readonly string[];
  entry?: string;
  /** A machine's network namespace (its path) to run in: through nsenter, which then execs node. */
  netns?: string;
}

export function startComponent(home: Home, s: ProcessSpec): number {
  const argv = [...(s.nodeFlags ?? []), ...componentNodeArgs(s.pkg, fromSource(), s.entry), ...s.args];
  if (s.netns) return startDetached(home, s.name, 'nsenter', [`--net=${s.netns}`, process.execPath, ...argv], s.env);
  return startDetached(home, s.name, process.execPath, argv, s.env);
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; removes the pid file. */
export async function stopProcess(home: Home, name: string, graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const pid = readPid(home, name);
  const pidFile = home.path('pids', `${name}.pid`);
  if (pid === undefined) return false;
  let was = false;
  if (isAlive(pid)) {
    was = true;
    killGroup(pid, signal);
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) killGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  if (existsSync(pidFile)) unlinkSync(pidFile);
  return was;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
