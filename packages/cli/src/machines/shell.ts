// ip, iptables, nsenter and docker as child processes: the CLI runs them as root, with a
// timeout, and reads their answers; `tryRun` for the idempotent steps whose failure means
// "already so".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(err.stderr || err.message).trim()}`);
  }
}

export async function tryRun(cmd: string, args: string[], timeoutMs = 60_000): Promise<boolean> {
  return run(cmd, args, timeoutMs).then(() => true, () => false);
}

export const inNetns = (nsPath: string, cmd: string, args: string[]) => run('nsenter', [`--net=${nsPath}`, cmd, ...args]);
export const tryInNetns = (nsPath: string, cmd: string, args: string[]) => tryRun('nsenter', [`--net=${nsPath}`, cmd, ...args]);
