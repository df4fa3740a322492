// The PodSecurity plugin over the real registry on the in-memory etcd: which writes it checks
// (pods on create and significant updates, templates for warn and audit only, never status),
// the exemptions of the configuration (namespaces, usernames, runtimeClasses), the audit log
// line, and the configuration file's parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from '../../registry/registry.js';
import { memoryStore } from '../../storage/memory-kv.js';
import { capturedLogger } from '../../testing/captured-logger.js';
import { registerPodSecurity } from './register.js';
import { loadAdmissionConfigFile, parsePodSecurityConfiguration, ConfigFileError } from './config.js';

const user = { name: 'alice', groups: ['system:authenticated'] };

function config(extra: Record<string, unknown> = {}) {
  return parsePodSecurityConfiguration(
    {
      apiVersion: 'pod-security.admission.config.k8s.io/v1',
      kind: 'PodSecurityConfiguration',
      defaults: { enforce: 'baseline', audit: 'restricted', warn: 'baseline' },
      exemptions: { namespaces: ['kube-system'], usernames: ['system:serviceaccount:ops:deployer'], runtimeClasses: ['kata'] },
      ...extra,
    },
    'test',
  );
}

async function setup(t: { after(fn: () => unknown): void }) {
  const { logger, lines } = capturedLogger('info');
  const memory = memoryStore(logger);
  const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
  registerPodSecurity(registry, { config: config(), logger });
  await registry.ensureSystemNamespaces();
  t.after(() => registry.close());
  return { registry, lines };
}

const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox:1.36' }], ...spec } });

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('the write was admitted');
}

test('pods: enforced on create with a 403 naming the pod; audited (log line) and warned otherwise', async (t) => {
  const { registry, lines } = await setup(t);
  const e = await refusal(registry.create('pods', 'default', pod('p', { hostIPC: true }), { user }));
  assert.equal(e.code, 403);
  assert.equal(e.status.reason, 'Forbidden');
  assert.equal(e.status.message, 'pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostIPC=true)');
  const warnings: string[] = [];
  await registry.create('pods', 'default', pod('ok'), { user, warnings });
  assert.deepEqual(warnings, [], 'a baseline pod gets no baseline warning');
  const audit = lines.find((l) => l.msg === 'PodSecurity audit' && l.name === 'ok');
  assert.match(audit?.auditAnnotations?.['pod-security.kubernetes.io/audit-violations'] ?? '', /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
});

test('exemptions: namespaces, usernames and runtimeClasses; the apiserver\'s own writes (no user) pass', async (t) => {
  const { registry } = await setup(t);
  const priv = { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] };
  await registry.create('pods', 'kube-system', pod('a', priv), { user });
  await registry.create('pods', 'default', pod('b', priv), { user: { name: 'system:serviceaccount:ops:deployer', groups: [] } });
  await registry.create('pods', 'default', pod('c', { ...priv, runtimeClassName: 'kata' }), { user });
  await registry.create('pods', 'default', pod('d', priv));
  await refusal(registry.create('pods', 'default', pod('e', { ...priv, runtimeClassName: 'runc' }), { user }));
});

test('templates are warned about, never enforced; status and metadata-only pod updates are not checked', async (t) => {
  const { registry } = await setup(t);
  const warnings: string[] = [];
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } } },
  };
  await registry.create('deployments', 'default', deploy, { user, warnings });
  assert.deepEqual(warnings, ['would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)']);
  const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', hostPID: true, containers: [{ name: 'c', image: 'i' }] } } } } } };
  const w2: string[] = [];
  await registry.create('cronjobs', 'default', cron, { user, warnings: w2 });
  assert.deepEqual(w2, ['would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)']);
  // A privileged pod stored while the namespace allowed it keeps being updatable (labels, status).
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } }, { user });
  await registry.create('pods', 'team', pod('p', { hostNetwork: true }), { user });
  await registry.guaranteedUpdate('namespaces', '', 'team', (ns) => ({ ...ns, metadata: { ...ns.metadata, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }), { user });
  await registry.guaranteedUpdate('pods', 'team', 'p', (p) => ({ ...p, metadata: { ...p.metadata, labels: { x: 'y' } } }), { user });
  const cur = await registry.get('pods', 'team', 'p');
  await registry.update('pods', 'team', 'p', { ...cur, status: { phase: 'Running' } }, { user, subresource: 'status' });
  // ...but a new image is a significant update, checked against the enforce level now in force.
  const e = await refusal(registry.guaranteedUpdate('pods', 'team', 'p', (p) => ({ ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], image: 'other:1' }] } }), { user }));
  assert.match(e.status.message ?? '', /pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
});

test('ephemeral containers added through pods/ephemeralcontainers are held to the level and to what the agent honours', async (t) => {
  const { registry } = await setup(t);
  await registry.create('pods', 'default', pod('dbg'), { user });
  const withEphemeral = async (c: Record<string, unknown>) => {
    const cur = await registry.get('pods', 'default', 'dbg');
    return registry.update('pods', 'default', 'dbg', { ...cur, spec: { ...cur.spec, ephemeralContainers: [{ name: 'e', image: 'k8ts/busybox:1.36', ...c }] } }, { user, subresource: 'ephemeralcontainers' });
  };
  const privileged = await refusal(withEphemeral({ securityContext: { privileged: true } }));
  assert.match(privileged.status.message ?? '', /pods "dbg" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "e" must not set securityContext.privileged=true\)/);
  // Baseline allows a Localhost AppArmor profile; this engine cannot load one.
  const apparmor = await refusal(withEphemeral({ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }));
  assert.equal(apparmor.code, 422);
  assert.match(apparmor.status.message ?? '', /spec.ephemeralContainers\[0\].securityContext.appArmorProfile.type/);
  assert.equal((await registry.get('pods', 'default', 'dbg')).spec.ephemeralContainers, undefined);
  await withEphemeral({ targetContainerName: 'c' });
  assert.deepEqual((await registry.get('pods', 'default', 'dbg')).spec.ephemeralContainers.map((c: { name: string }) => c.name), ['e']);
});

test('namespace labels: invalid values are a 422 on create and on update, unless unchanged', async (t) => {
  const { registry } = await setup(t);
  const e = await refusal(registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'pod-security.kubernetes.io/enforce': 'Baseline' } } }, { user }));
  assert.equal(e.code, 422);
  assert.equal(e.status.message, 'Namespace "x" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Baseline": must be one of privileged, baseline, restricted');
  // Stored before (by the apiserver itself, which admission does not check), then relabelled elsewhere.
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old', labels: { 'pod-security.kubernetes.io/warn': 'loud' } } });
  await registry.guaranteedUpdate('namespaces', '', 'old', (ns) => ({ ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, team: 'a' } } }), { user });
  await refusal(registry.guaranteedUpdate('namespaces', '', 'old', (ns) => ({ ...ns, metadata: { ...ns.metadata, labels: { 'pod-security.kubernetes.io/warn': 'louder' } } }), { user }));
  // Labels on an exempt namespace are ignored, and the write says so.
  const warnings: string[] = [];
  await registry.guaranteedUpdate('namespaces', '', 'kube-system', (ns) => ({ ...ns, metadata: { ...ns.metadata, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'privileged' } } }), { user, warnings });
  assert.deepEqual(warnings, ['namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
  // With an invalid enforce label, pods are judged as restricted (upstream fails closed).
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'closed', labels: { 'pod-security.kubernetes.io/enforce': 'none' } } });
  const p = await refusal(registry.create('pods', 'closed', pod('p'), { user }));
  assert.match(p.status.message ?? '', /violates PodSecurity "restricted:latest"/);
});

test('configuration files: AdmissionConfiguration with configuration or path, defaults privileged, errors named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-psa-'));
  try {
    const psa = 'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults: {enforce: restricted, enforce-version: v1.25}\n';
    writeFileSync(join(dir, 'psa.yaml'), psa);
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: psa.yaml\n- name: EventRateLimit\n  path: other.yaml\n');
    const c = loadAdmissionConfigFile(join(dir, 'a.yaml'));
    assert.deepEqual(c.defaults.enforce, { level: 'restricted', version: { latest: false, minor: 25 } });
    assert.equal(c.defaults.warn.level, 'privileged');
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n');
    assert.equal(loadAdmissionConfigFile(join(dir, 'b.yaml')).defaults.enforce.level, 'privileged');
    const bad = (doc: string, re: RegExp) => {
      writeFileSync(join(dir, 'c.yaml'), doc);
      assert.throws(() => loadAdmissionConfigFile(join(dir, 'c.yaml')), (e: Error) => e instanceof ConfigFileError && re.test(e.message));
    };
    bad('{', /not valid YAML/);
    bad('kind: Something\n', /expected kind AdmissionConfiguration/);
    bad('apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration: {apiVersion: pod-security.admission.config.k8s.io/v1, kind: PodSecurityConfiguration, exemption: {}}\n', /unknown field "exemption"/);
    bad('apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  configuration: {apiVersion: pod-security.admission.config.k8s.io/v1, kind: PodSecurityConfiguration, defaults: {warn-version: "1.2"}, exemptions: {namespaces: [Bad_NS], usernames: [""]}}\n', /defaults\.warn-version: Invalid value: "1\.2": must be "latest" or "v1\.x".*exemptions\.usernames\[0\]: Invalid value: "": username must not be empty.*exemptions\.namespaces\[0\]: Invalid value: "Bad_NS"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with the namespace cache: the level comes from the cache (no etcd read per pod) and a label change holds for the next create', async (t) => {
  const { logger } = capturedLogger('info');
  const memory = memoryStore(logger);
  const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
  registerPodSecurity(registry, { config: config(), logger });
  await registry.ensureSystemNamespaces();
  await registry.startNamespaceCache();
  t.after(() => registry.close());
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, { user });
  await registry.create('pods', 'team', pod('hostless'), { user });
  // A namespace just created is read from etcd until the cache's watch brings it.
  for (let i = 0; i < 200 && !registry.cachedNamespace('team'); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(registry.cachedNamespace('team'));

  let nsReads = 0;
  const range = memory.kv.range.bind(memory.kv);
  memory.kv.range = (req) => {
    if (req.key.toString('utf8').includes('/namespaces/')) nsReads++;
    return range(req);
  };
  await registry.create('pods', 'team', pod('second'), { user });
  assert.equal(nsReads, 0, 'the namespace came from the cache');

  const ns = await registry.get('namespaces', '', 'team');
  ns.metadata.labels = { ...ns.metadata.labels, 'pod-security.kubernetes.io/enforce': 'restricted' };
  await registry.update('namespaces', '', 'team', ns, { user });
  const e = await refusal(registry.create('pods', 'team', pod('right-after'), { user }));
  assert.equal(e.code, 403);
  assert.match(e.status.message!, /violates PodSecurity "restricted:latest"/);
});
