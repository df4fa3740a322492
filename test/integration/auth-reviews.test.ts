// kubectl auth whoami, auth can-i (yes/no and exit codes, --list) and --as impersonation
// against a real apiserver over etcd, whose access reviews and impersonation ask a decision
// table (testing/table-authorizer.ts) until the RBAC chain is wired in its place.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { createLogger } from '@k8ts/client';
import { selfSignedCertificate } from '../../packages/apiserver/src/rest/index.js';
import { tableAuthorizer } from '../../packages/apiserver/src/testing/table-authorizer.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { runKubectl, kubectlOk } from './kubectl-cluster.js';

const TOKENS = { admin: 'tok-admin-' + Math.random().toString(36).slice(2), alice: 'tok-alice-x', bob: 'tok-bob-y' };

// What the bootstrap policy gives (system:basic-user, cluster-admin for system:masters) plus
// a namespace reader who may impersonate, and a user who may not.
const table = tableAuthorizer([
  { subjects: ['group:system:masters'], verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { subjects: ['group:system:masters'], verbs: ['*'], nonResourceURLs: ['*'] },
  { subjects: ['group:system:authenticated'], verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { subjects: ['group:system:authenticated'], verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  { subjects: ['alice'], verbs: ['get', 'list', 'watch'], resources: ['pods', 'pods/log'], namespace: 'team' },
  { subjects: ['alice'], verbs: ['impersonate'], resources: ['users'] },
  { subjects: ['alice'], verbs: ['impersonate'], resources: ['groups'], resourceNames: ['dev'] },
  { subjects: ['group:dev'], verbs: ['create'], resources: ['configmaps'], namespace: 'team' },
]);

let dir: string;
let etcd: TestEtcd | undefined;
let api: ApiServer | undefined;
let cluster: { dir: string; kubeconfig: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-auth-reviews-'));
  writeFileSync(join(dir, 'tokens.csv'), [`${TOKENS.admin},admin,uid-admin,"system:masters"`, `${TOKENS.alice},alice,uid-alice,"readers,ops"`, `${TOKENS.bob},bob,uid-bob`, ''].join('\n'));
  const tls = selfSignedCertificate();
  writeFileSync(join(dir, 'tls.crt'), tls.cert);
  writeFileSync(join(dir, 'tls.key'), tls.key);
  etcd = await startEtcd();
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  api = await startApiServer({
    etcdServers: [etcd.url],
    port: 0,
    grpcPort: 0,
    tokenAuthFile: join(dir, 'tokens.csv'),
    tlsCertFile: join(dir, 'tls.crt'),
    tlsPrivateKeyFile: join(dir, 'tls.key'),
    logger,
    authorizer: { authorize: (a) => table.authorize(a), rulesFor: (u, ns) => table.rulesFor(u, ns) },
  });
  const kubeconfig = join(dir, 'kubeconfig');
  const user = (name: string, token: string) => [`- name: ${name}`, '  user:', `    token: ${token}`];
  const context = (name: string) => [`- name: ${name}`, `  context: {cluster: k8ts, user: ${name}}`];
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: k8ts',
      '  cluster:',
      `    server: https://127.0.0.1:${api.restPort}`,
      `    certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}`,
      'contexts:',
      ...context('admin'),
      ...context('alice'),
      ...context('bob'),
      'current-context: admin',
      'users:',
      ...user('admin', TOKENS.admin),
      ...user('alice', TOKENS.alice),
      ...user('bob', TOKENS.bob),
      '',
    ].join('\n'),
  );
  cluster = { dir, kubeconfig };
});

after(async () => {
  await api?.stop().catch(() => undefined);
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const as = (who: string, ...args: string[]) => ['--context', who, ...args];

describe('kubectl auth against the reviews', () => {
  it('auth whoami prints the admin and a token user with its groups', async () => {
    const admin = await kubectlOk(cluster, as('admin', 'auth', 'whoami'));
    assert.match(admin, /^ATTRIBUTE\s+VALUE$/m);
    assert.match(admin, /^Username\s+admin$/m);
    assert.match(admin, /^Groups\s+\[system:masters system:authenticated\]$/m);
    const alice = await kubectlOk(cluster, as('alice', 'auth', 'whoami'));
    assert.match(alice, /^Username\s+alice$/m);
    assert.match(alice, /^Groups\s+\[readers ops system:authenticated\]$/m);
    assert.match(await kubectlOk(cluster, as('alice', 'auth', 'whoami'), { minor: 33 }), /^Username\s+alice$/m);
    const json = JSON.parse(await kubectlOk(cluster, as('alice', 'auth', 'whoami', '-o', 'json')));
    assert.equal(json.kind, 'SelfSubjectReview');
    assert.equal(json.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(json.status.userInfo.username, 'alice');
  });

  it('auth can-i answers yes (exit 0) and no (exit 1) from the authorizer', async () => {
    for (const minor of [27, 32, 33]) {
      const yes = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'list', 'pods', '-n', 'team'), { minor });
      assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n'], `1.${minor}: ${yes.stderr}`);
      const no = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'delete', 'pods', '-n', 'team'), { minor });
      assert.deepEqual([no.code, no.stdout], [1, 'no\n'], `1.${minor}: ${no.stderr}`);
    }
    const otherNs = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'list', 'pods', '-n', 'default'));
    assert.deepEqual([otherNs.code, otherNs.stdout], [1, 'no\n']);
    const log = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', 'team'));
    assert.equal(log.stdout, 'yes\n');
    const quiet = await runKubectl(cluster, as('bob', 'auth', 'can-i', 'get', 'secrets', '-q'));
    assert.deepEqual([quiet.code, quiet.stdout], [1, '']);
    assert.equal(await kubectlOk(cluster, as('admin', 'auth', 'can-i', '*', '*')), 'yes\n');
    assert.equal(await kubectlOk(cluster, as('admin', 'auth', 'can-i', 'get', '/healthz')), 'yes\n');
    const url = await runKubectl(cluster, as('bob', 'auth', 'can-i', 'get', '/metrics'));
    assert.deepEqual([url.code, url.stdout], [1, 'no\n']);
  });

  it('auth can-i --list prints the caller\'s rules in the namespace', async () => {
    const out = await kubectlOk(cluster, as('alice', 'auth', 'can-i', '--list', '-n', 'team'));
    const lines = out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(lines[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    assert.ok(lines.some((l) => l.join('|') === 'pods/log|[]|[]|[get list watch]'), out);
    assert.ok(lines.some((l) => l.join('|') === 'pods|[]|[]|[get list watch]'), out);
    assert.ok(lines.some((l) => l.join('|') === 'users|[]|[]|[impersonate]'), out);
    assert.ok(lines.some((l) => l.join('|') === 'groups|[]|[dev]|[impersonate]'), out);
    assert.equal(await kubectlOk(cluster, as('alice', 'auth', 'can-i', '--list', '-n', 'team'), { minor: 27 }), out);
    const elsewhere = await kubectlOk(cluster, as('alice', 'auth', 'can-i', '--list', '-n', 'default'));
    assert.ok(!/\bpods\b/.test(elsewhere), elsewhere);
    const admin = await kubectlOk(cluster, as('admin', 'auth', 'can-i', '--list'));
    assert.match(admin, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  it('--as runs as the impersonated user for a caller allowed to impersonate', async () => {
    const who = await kubectlOk(cluster, as('alice', 'auth', 'whoami', '--as=bob'));
    assert.match(who, /^Username\s+bob$/m);
    assert.match(who, /^Groups\s+\[system:authenticated\]$/m);
    const grouped = await kubectlOk(cluster, as('alice', 'auth', 'whoami', '--as=carol', '--as-group=dev'));
    assert.match(grouped, /^Groups\s+\[dev system:authenticated\]$/m);
    // carol in dev may create configmaps in team; alice herself may not.
    const yes = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'create', 'configmaps', '-n', 'team', '--as=carol', '--as-group=dev'));
    assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n'], yes.stderr);
    const self = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'create', 'configmaps', '-n', 'team'));
    assert.deepEqual([self.code, self.stdout], [1, 'no\n']);
    const pods = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'create', 'pods', '--as=bob', '-n', 'x'));
    assert.deepEqual([pods.code, pods.stdout], [1, 'no\n']);
  });

  it('--as without the impersonate verb is a 403 in Kubernetes\' words', async () => {
    const r = await runKubectl(cluster, as('bob', 'auth', 'can-i', 'create', 'pods', '--as=alice', '-n', 'x'));
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Error from server \(Forbidden\): users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope/);
    const get = await runKubectl(cluster, as('bob', 'get', 'pods', '--as=alice'));
    assert.match(get.stderr, /users "alice" is forbidden: User "bob" cannot impersonate resource "users"/);
    const group = await runKubectl(cluster, as('alice', 'auth', 'can-i', 'get', 'pods', '--as=bob', '--as-group=system:masters'));
    assert.equal(group.code, 1);
    assert.match(group.stderr, /groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope/);
    // whoami words any 403 its own way, as it does against Kubernetes.
    const who = await runKubectl(cluster, as('bob', 'auth', 'whoami', '--as=alice'));
    assert.equal(who.code, 1);
    assert.equal(who.stderr, 'error: the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it\n');
  });

  it('a SubjectAccessReview created with kubectl comes back answered and is not stored', async () => {
    const sar = JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'alice', resourceAttributes: { verb: 'watch', resource: 'pods', namespace: 'team' } },
    });
    const out = JSON.parse(await kubectlOk(cluster, as('admin', 'create', '-f', '-', '-o', 'json'), { input: sar }));
    assert.equal(out.status.allowed, true);
    const denied = await runKubectl(cluster, as('alice', 'create', '-f', '-', '-o', 'json'), { input: sar });
    assert.match(denied.stderr, /subjectaccessreviews.authorization.k8s.io is forbidden: User "alice" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope/);
    const list = await runKubectl(cluster, as('admin', 'get', 'subjectaccessreviews'));
    assert.notEqual(list.code, 0);
    assert.match(list.stderr, /MethodNotAllowed|does not allow this method/);
  });
});
