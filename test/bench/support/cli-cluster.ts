// A benchmark's own cluster through the real CLI (compiled, as `pnpm k8ts` runs it), in a
// K8TS_HOME of its own, and the end every such benchmark has: down and purge, also on failure.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { componentArgs } from './component.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

export type Cli = (...args: string[]) => Promise<{ stdout: string; stderr: string }>;

export async function benchCli(env: NodeJS.ProcessEnv): Promise<Cli> {
  const entry = await componentArgs('cli');
  return (...args) => run(process.execPath, [...entry, ...args], { cwd: root, env, timeout: 600_000, maxBuffer: 1 << 24 });
}

/** Runs the benchmark; whatever happens, its cluster goes down and its home is deleted. */
export function runThenPurge(main: () => Promise<void>, cli: Cli, after: () => void = () => undefined): void {
  main()
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cli('down', '--purge').catch((e) => console.error(`down failed: ${e.message}`));
      after();
    });
}
