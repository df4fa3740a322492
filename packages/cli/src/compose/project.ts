// Which compose project the CLI means: the one named (flag or K8TS_COMPOSE_PROJECT /
// COMPOSE_PROJECT_NAME), else the only k8ts project running, else the project Compose itself
// would name after the repository directory.
import { basename } from 'node:path';
import { REPO_ROOT } from './command.js';
import { composeProjects } from './containers.js';
import { composeSettings, type ComposeSettings } from './settings.js';

/** Compose v1's default project name: the directory's name, lower case, letters and digits only. */
export function defaultProjectName(dir = REPO_ROOT): string {
  return basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

export async function resolveProject(explicit?: string): Promise<string> {
  const named = explicit ?? process.env.K8TS_COMPOSE_PROJECT ?? process.env.COMPOSE_PROJECT_NAME;
  if (named) return named;
  const running = await composeProjects().catch(() => []);
  if (running.length === 1) return running[0]!;
  if (running.length > 1) throw new Error(`several compose clusters run here (${running.join(', ')}): name one with --project or K8TS_COMPOSE_PROJECT`);
  return defaultProjectName();
}

export async function resolveSettings(explicit?: string): Promise<ComposeSettings> {
  return composeSettings(await resolveProject(explicit));
}
