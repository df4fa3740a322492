// `k8ts up` gives the apiserver an audit log beside the component logs, capped, and the
// home's audit policy when there is one; the apiserver's own flag check accepts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Home, defaultConfig } from './home.js';
import { componentSpecs } from './components.js';
import { AUDIT_POLICY_FILE } from './audit-log.js';
import { auditPolicyOf } from '@k8ts/apiserver';

const argOf = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

test('the apiserver of `k8ts up` writes logs/audit.log, rotated at 50 MB with 3 old files, with the home audit policy when present', (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-audit-up-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const home = new Home(dir);
  const apiserverArgs = () =>
    componentSpecs(home, defaultConfig, { csvPath: 't.csv', componentTokenPath: 'c.token' } as never, { certPath: 'c.crt', keyPath: 'c.key', caPath: 'ca.crt', caKeyPath: 'ca.key' } as never, () => ({ certFile: 'x.crt', keyFile: 'x.key' }) as never).find((s) => s.name === 'apiserver')!.args;
  let args = apiserverArgs();
  assert.equal(argOf(args, '--audit-log-path'), join(dir, 'logs', 'audit.log'));
  assert.equal(argOf(args, '--audit-log-maxsize'), '50');
  assert.equal(argOf(args, '--audit-log-maxbackup'), '3');
  assert.equal(argOf(args, '--audit-policy-file'), undefined, 'no policy: Metadata for every request');
  assert.deepEqual(auditPolicyOf({ auditLogPath: argOf(args, '--audit-log-path'), auditLogMaxSize: 50, auditLogMaxBackup: 3 })?.rules, [{ level: 'Metadata' }]);

  const policy = join(dir, AUDIT_POLICY_FILE);
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: None, resources: [{group: coordination.k8s.io, resources: [leases]}]}\n- {level: Metadata}\n');
  args = apiserverArgs();
  assert.equal(argOf(args, '--audit-policy-file'), policy);
  assert.equal(auditPolicyOf({ auditLogPath: 'x', auditPolicyFile: policy })?.rules.length, 2);
});

test('audit flags the apiserver refuses: a policy without a log, negative sizes', () => {
  assert.throws(() => auditPolicyOf({ auditPolicyFile: '/p.yaml' }), /--audit-policy-file needs --audit-log-path/);
  assert.throws(() => auditPolicyOf({ auditLogPath: 'x', auditLogMaxSize: -1 }), /--audit-log-maxsize must be a whole number/);
  assert.equal(auditPolicyOf({}), undefined);
});
