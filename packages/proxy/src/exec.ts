import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell), feeding `input` on stdin. Never throws for a non-zero exit. */
export function run(cmd: string, args: string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly result: ExecResult,
  ) {
    super(`${cmd} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

export async function mustRun(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new CommandError(`${cmd} ${args.join(' ')}`, r);
  return r.stdout;
}
