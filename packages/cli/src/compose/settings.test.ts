import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPOSE_DEFAULTS, agentService, composeEnv, composeNodes, composeSettings } from './settings.js';
import { REPO_ROOT } from './command.js';
import { defaultProjectName } from './project.js';
import YAML from 'yaml';
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';

test('defaults are what docker-compose.yml falls back to', () => {
  const file = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const env = composeEnv(composeSettings('p', {}));
  for (const [name, value] of Object.entries(env)) {
    if (name === 'COMPOSE_PROJECT_NAME') continue;
    assert.ok(file.includes(`\${${name}:-${value}}`), `docker-compose.yml reads \${${name}:-${value}}`);
  }
});

test('K8TS_COMPOSE_* variables move ports, ranges and names; numbers stay numbers', () => {
  const s = composeSettings('e2e', { K8TS_COMPOSE_API_PORT: '20443', K8TS_COMPOSE_NET: '10.230', K8TS_COMPOSE_NODE_PREFIX: 'ce', K8TS_COMPOSE_NETWORK: '' });
  assert.equal(s.apiPort, 20443);
  assert.equal(s.net, '10.230');
  assert.equal(s.network, COMPOSE_DEFAULTS.network, 'an empty variable keeps the default, as ${VAR:-default} does');
  assert.deepEqual(composeNodes(s), ['ce-1', 'ce-2', 'ce-3']);
  assert.equal(composeEnv(s).K8TS_COMPOSE_API_PORT, '20443');
  assert.equal(composeEnv(s).COMPOSE_PROJECT_NAME, 'e2e');
});

test('agent services are agent-1..3 whatever the node names', () => {
  const s = composeSettings('p', { K8TS_COMPOSE_NODE_PREFIX: 'n' });
  assert.equal(agentService(s, 'n-2'), 'agent-2');
  assert.equal(agentService(s, 'agent-2'), undefined);
});

test('the default project is the directory name as Compose v1 spells it', () => {
  assert.equal(defaultProjectName('/home/me/K8ts.Main'), 'k8tsmain');
  assert.equal(defaultProjectName('/work/main'), 'main');
});

test('docker-compose.yml starts the apiserver with the node flags k8ts up uses', () => {
  const file = YAML.parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  assert.deepEqual(file.services.apiserver.entrypoint, ['node', ...APISERVER_NODE_FLAGS, '--import', 'tsx']);
});
