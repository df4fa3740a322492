// Runs Compose the way this machine has it: the `docker compose` v2 plugin when present,
// else the standalone `docker-compose` (Debian ships v1 1.29 only). Both read the same file.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeEnv, type ComposeSettings } from './settings.js';

/** The repository root, where docker-compose.yml lives. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

let detected: string[] | undefined;

/** argv prefix of the Compose CLI: ['docker', 'compose'] (v2) or ['docker-compose'] (v1). */
export function composeCommand(): string[] {
  if (detected) return detected;
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 15_000 });
  if (v2.status === 0) return (detected = ['docker', 'compose']);
  const v1 = spawnSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 15_000 });
  if (v1.status === 0) return (detected = ['docker-compose']);
  throw new Error('neither `docker compose` (v2) nor `docker-compose` (v1) is installed');
}

export interface ComposeRunOptions {
  /** Print Compose's output as it comes instead of collecting it. */
  inherit?: boolean;
  timeoutMs?: number;
}

/** `<compose> -f docker-compose.yml -p <project> <args…>` with the settings' environment. */
export function runCompose(s: ComposeSettings, args: string[], o: ComposeRunOptions = {}): Promise<{ code: number; output: string }> {
  const [cmd, ...pre] = composeCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...pre, '-f', COMPOSE_FILE, '-p', s.project, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...composeEnv(s) },
      stdio: o.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** runCompose that throws with Compose's own output when it fails. */
export async function compose(s: ComposeSettings, args: string[], o: ComposeRunOptions = {}): Promise<string> {
  const r = await runCompose(s, args, o);
  if (r.code !== 0) throw new Error(`${composeCommand().join(' ')} ${args.join(' ')} failed (exit ${r.code})${r.output ? `:\n${r.output.trim()}` : ''}`);
  return r.output;
}
