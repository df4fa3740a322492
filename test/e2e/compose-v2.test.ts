// The compose e2e suite (compose.test.ts) once more under Docker Compose v2, on machines whose
// own Compose is v1 (Debian 12): scripts/compose-v2.sh (run by scripts/test.sh) fetched the v2
// plugin into a Docker config directory of its own, and DOCKER_CONFIG points this process and
// everything it starts (`docker compose`, `k8ts … --compose`) at it. Where the machine's Compose
// is already v2, compose.test.ts runs under it and this file has nothing to add.
import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const dir = process.env.K8TS_COMPOSE_V2_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k8ts', 'compose-v2');
const name = 'the compose suite under Docker Compose v2';
if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) {
  test(name, { skip: "this machine's own Compose is v2: compose.test.ts ran under it" }, () => {});
} else if (!existsSync(join(dir, 'cli-plugins', 'docker-compose'))) {
  test(name, { skip: `no Compose v2 in ${dir}: run scripts/compose-v2.sh` }, () => {});
} else {
  process.env.DOCKER_CONFIG = dir;
  process.env.K8TS_COMPOSE_SECOND_RUN = '1';
  await import('./compose.test.js');
}
