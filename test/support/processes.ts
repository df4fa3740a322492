// Ending a child process a test started: SIGTERM, then SIGKILL if it has not exited in time.
import type { ChildProcess } from 'node:child_process';

/** Resolves once `p` has exited (at once when it already has). */
export async function terminate(p: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
