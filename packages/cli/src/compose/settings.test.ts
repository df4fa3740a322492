import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPOSE_DEFAULTS, agentService, composeEnv, composeNodes, composeSettings } from './settings.js';
import { REPO_ROOT } from './command.js';
import { defaultProjectName } from './project.js';
import YAML from 'yaml';
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';
import { COMPONENT_ENV, COMPONENT_NODE_FLAGS } from '@k8ts/client/node-flags';
import { apiserverEtcdFlags, etcdTlsFlags } from '../components.js';
import { etcdPkiPaths } from '../etcd-pki.js';
import { COMPOSE_ETCD_MEMBERS, COMPOSE_PKI_DIR } from './etcd.js';
import { DIST_NODE_FLAGS } from '../../../../scripts/build.mjs';
import { componentMain } from '../processes.js';

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
  assert.deepEqual(file.services.apiserver.entrypoint, ['node', ...APISERVER_NODE_FLAGS, ...DIST_NODE_FLAGS]);
});

test('docker-compose.yml starts every other component with the node flags and environment k8ts up uses', () => {
  const file = YAML.parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  let seen = 0;
  for (const [name, svc] of Object.entries<{ command?: string[]; entrypoint?: string[]; environment?: Record<string, string> }>(file.services)) {
    const main = svc.command?.[0] ?? '';
    if (!/^packages\/(?!apiserver\/)[\w-]+\/dist\/main\.js$/.test(main)) continue;
    seen++;
    const node = (svc.entrypoint ?? []).join(' ');
    assert.ok(node.includes(['node', ...COMPONENT_NODE_FLAGS, ...DIST_NODE_FLAGS].join(' ')), `${name}: ${node}`);
    assert.deepEqual(svc.environment, COMPONENT_ENV, name);
  }
  assert.equal(seen, 10, 'two schedulers, two controller-managers, dns, ingress, proxy and three agents');
});

test('docker-compose.yml runs every component compiled, from the dist file k8ts up starts it from', () => {
  const file = YAML.parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'k8ts', 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1];
  assert.deepEqual(JSON.parse(entrypoint ?? '[]'), ['node', ...DIST_NODE_FLAGS], 'the image runs node with the dist condition');
  const pkgs = new Set<string>();
  for (const [name, svc] of Object.entries<{ command?: string[]; entrypoint?: string[] }>(file.services)) {
    const main = svc.command?.[0];
    const m = main && /^packages\/([\w-]+)\/dist\/main\.js$/.exec(main);
    if (m) {
      pkgs.add(m[1]!);
      assert.equal(join(REPO_ROOT, main!), componentMain(m[1]!, false), name);
    }
    for (const part of [...(svc.entrypoint ?? []), ...(svc.command ?? [])]) {
      assert.doesNotMatch(String(part), /--import|tsx|\/src\//, `${name} runs nothing from the TypeScript sources`);
    }
  }
  assert.deepEqual([...pkgs].sort(), ['agent', 'apiserver', 'controller-manager', 'dns', 'ingress', 'proxy', 'scheduler']);
  assert.deepEqual(file.services.init.entrypoint.slice(0, 3), ['node', ...DIST_NODE_FLAGS, 'packages/cli/dist/compose/init-main.js']);
  assert.ok(existsSync(join(REPO_ROOT, 'packages', 'cli', 'src', 'compose', 'init-main.ts')));
});

/** `--flag value` pairs as compose writes them (`--flag=value`). */
const joined = (flags: string[]) => flags.reduce<string[]>((out, f) => (f.startsWith('--') ? [...out, f] : [...out.slice(0, -1), `${out.at(-1)}=${f}`]), []);

test('docker-compose.yml runs etcd with the TLS flags and the certificates init makes; the apiserver with its etcd client', () => {
  const file = YAML.parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const paths = etcdPkiPaths(COMPOSE_PKI_DIR);
  const urls: string[] = [];
  for (const m of COMPOSE_ETCD_MEMBERS) {
    const cmd: string[] = file.services[m.name].command;
    for (const f of joined(etcdTlsFlags(paths.member(m)))) assert.ok(cmd.includes(f), `${m.name} runs with ${f}`);
    for (const f of cmd.filter((c) => /-urls=|--initial-cluster=/.test(c) && !c.startsWith('--listen-metrics-urls'))) assert.doesNotMatch(f, /http:\/\//, `${m.name}: ${f}`);
    assert.ok(cmd.includes('--listen-metrics-urls=http://127.0.0.1:2381'), 'health without a certificate, on loopback only');
    assert.match(file.services[m.name].healthcheck.test.join(' '), /127\.0\.0\.1:2381\/health/);
    assert.ok(file.services[m.name].volumes.includes('secrets:/var/lib/k8ts:ro'));
    urls.push(`https://${m.name}:2379`);
  }
  const api: string[] = file.services.apiserver.command;
  for (const f of joined(apiserverEtcdFlags(urls, paths.apiserverClient))) assert.ok(api.includes(f), `the apiserver runs with ${f}`);
});
