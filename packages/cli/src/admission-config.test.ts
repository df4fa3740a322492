// The admission configuration `k8ts up` and compose's init write: read by the apiserver's own
// loader as baseline enforced with kube-system exempt, written once (an operator's edits are
// kept), and passed to the apiserver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadAdmissionConfigFile } from '@k8ts/apiserver';
import { Home, defaultConfig } from './home.js';
import { componentSpecs } from './components.js';
import { ensureAdmissionConfig } from './admission-config.js';

test('the admission configuration: baseline enforce, warn and audit, kube-system exempt; kept once written; given to the apiserver', (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-admission-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const home = new Home(dir);
  const path = ensureAdmissionConfig(home);
  const c = loadAdmissionConfigFile(path);
  assert.deepEqual([c.defaults.enforce.level, c.defaults.warn.level, c.defaults.audit.level], ['baseline', 'baseline', 'baseline']);
  assert.ok(c.defaults.enforce.version.latest);
  assert.deepEqual(c.exemptions.namespaces, ['kube-system']);
  writeFileSync(path, readFileSync(path, 'utf8').replace('enforce: baseline', 'enforce: restricted'));
  ensureAdmissionConfig(home);
  assert.equal(loadAdmissionConfigFile(path).defaults.enforce.level, 'restricted', 'an edited file is kept');
  const apiserver = componentSpecs(home, defaultConfig, { csvPath: 't.csv', componentTokenPath: 'c.token' } as never, { certPath: 'c.crt', keyPath: 'c.key', caPath: 'ca.crt', caKeyPath: 'ca.key' } as never, () => ({ certFile: 'x.crt', keyFile: 'x.key' }) as never).find((s) => s.name === 'apiserver')!;
  const i = apiserver.args.indexOf('--admission-control-config-file');
  assert.equal(apiserver.args[i + 1], path);
});
