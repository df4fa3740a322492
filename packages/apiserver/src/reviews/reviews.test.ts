// The reviews through the registry's create (what REST and gRPC both call) on the in-memory
// etcd, answered from a decision table: each answer follows the table, nothing is stored,
// other verbs are 405, bad bodies are 422/400 in Kubernetes' words.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ApiError, type KubeObject } from '@k8ts/api';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { tableAuthorizer } from '../testing/table-authorizer.js';
import { registerReviews } from './index.js';

const table = tableAuthorizer([
  { subjects: ['group:system:masters'], verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { subjects: ['group:system:masters'], verbs: ['*'], nonResourceURLs: ['*'] },
  { subjects: ['viewer'], verbs: ['get', 'list', 'watch'], resources: ['pods', 'pods/log'], namespace: 'team' },
  { subjects: ['viewer'], verbs: ['get'], nonResourceURLs: ['/healthz', '/api/*'] },
  { subjects: ['delegator'], verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'] },
  { subjects: ['team-lead'], verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], namespace: 'team' },
  { subjects: ['viewer'], verbs: ['delete'], resources: ['pods'], deny: true },
]);
const tokens: Record<string, { name: string; groups: string[]; uid?: string }> = { 'viewer-token': { name: 'viewer', groups: ['readers', 'system:authenticated'], uid: 'u-v' } };

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const viewer = { name: 'viewer', groups: ['system:authenticated'] };
const delegator = { name: 'delegator', groups: ['system:authenticated'] };
const lead = { name: 'team-lead', groups: ['system:authenticated'] };

let registry: EtcdRegistry;
let memory: ReturnType<typeof memoryStore>;

before(async () => {
  memory = memoryStore(pino({ level: 'silent' }));
  registry = new EtcdRegistry({ store: memory.store });
  registerReviews(registry, { authorize: (a) => table.authorize(a), rulesFor: (u, ns) => table.rulesFor(u, ns), authenticate: (c) => tokens[c.authorization?.replace(/^Bearer /, '') ?? ''] ?? null });
});
after(() => registry.close());

// Bodies as they arrive: parsed JSON, so absent fields are absent, not undefined.
const json = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const ssar = (resourceAttributes: object | undefined, nonResourceAttributes?: object) =>
  json({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec: { resourceAttributes, nonResourceAttributes } }) as unknown as KubeObject;
const statusOf = (o: KubeObject) => (o as unknown as { status: Record<string, unknown> }).status;

async function rejects(p: Promise<unknown>, code: number, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.status.message, message);
    else assert.match(e.status.message ?? '', message);
    return true;
  });
}

describe('SelfSubjectAccessReview', () => {
  it('answers yes and no from the table for the caller, and stores nothing', async () => {
    const before = memory.kv.revision;
    const yes = await registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'list', resource: 'pods', namespace: 'team' }), { user: viewer });
    assert.deepEqual(statusOf(yes), { allowed: true, reason: 'allowed by row 2' });
    assert.equal(yes.kind, 'SelfSubjectAccessReview');
    const log = await registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'team', name: 'p' }), { user: viewer });
    assert.equal(statusOf(log).allowed, true);
    const otherNs = await registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'list', resource: 'pods', namespace: 'default' }), { user: viewer });
    assert.deepEqual(statusOf(otherNs), { allowed: false });
    const denied = await registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'delete', resource: 'pods', namespace: 'team' }), { user: viewer });
    assert.deepEqual(statusOf(denied), { allowed: false, denied: true, reason: 'denied by row 6' });
    const url = await registry.create('selfsubjectaccessreviews', '', ssar(undefined, { verb: 'get', path: '/api/v1' }), { user: viewer });
    assert.equal(statusOf(url).allowed, true);
    const urlNo = await registry.create('selfsubjectaccessreviews', '', ssar(undefined, { verb: 'get', path: '/metrics' }), { user: viewer });
    assert.equal(statusOf(urlNo).allowed, false);
    const adminYes = await registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'x' }), { user: admin });
    assert.equal(statusOf(adminYes).allowed, true);
    assert.equal(memory.kv.revision, before, 'a review writes nothing to etcd');
    assert.equal([...memory.kv.data.keys()].filter((k) => k.includes('review')).length, 0);
  });

  it('refuses bodies that ask nothing, or both things, and a caller-less create', async () => {
    const kind = 'SelfSubjectAccessReview.authorization.k8s.io ""';
    await rejects(registry.create('selfsubjectaccessreviews', '', ssar(undefined), { user: viewer }), 422, `${kind} is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
    await rejects(registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'get' }, { verb: 'get', path: '/' }), { user: viewer }), 422, /spec.nonResourceAttributes: Invalid value: .*cannot be specified in combination with resourceAttributes/);
    const named = { ...ssar({ verb: 'get', resource: 'pods' }), metadata: { name: 'x' } } as KubeObject;
    await rejects(registry.create('selfsubjectaccessreviews', '', named, { user: viewer }), 422, /metadata: Invalid value: .*must be empty/);
    await rejects(registry.create('selfsubjectaccessreviews', '', ssar({ verb: 'get', resource: 'pods' })), 400, 'no user present on request');
    await rejects(registry.create('selfsubjectaccessreviews', '', { ...ssar({}), spec: { resourceAttributes: { verb: 7 } } } as unknown as KubeObject, { user: viewer }), 400, /verb/);
  });

  it('serves no verb but create', async () => {
    const msg = 'the server does not allow this method on the requested resource';
    await rejects(registry.list('selfsubjectaccessreviews', {}), 405, msg);
    await rejects(registry.get('selfsubjectaccessreviews', '', 'x'), 405, msg);
    await rejects(registry.delete('selfsubjectaccessreviews', '', 'x'), 405, msg);
    assert.throws(() => registry.watch('selfsubjectaccessreviews', {}, () => undefined), (e: unknown) => e instanceof ApiError && e.code === 405);
  });
});

describe('SubjectAccessReview and LocalSubjectAccessReview', () => {
  const sar = (spec: object, kind = 'SubjectAccessReview', metadata: object = {}) => ({ apiVersion: 'authorization.k8s.io/v1', kind, metadata, spec }) as unknown as KubeObject;

  it('needs create on subjectaccessreviews, then answers for the subject in the spec', async () => {
    const spec = { user: 'viewer', groups: [], resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'team' } };
    await rejects(registry.create('subjectaccessreviews', '', sar(spec), { user: viewer }), 403, 'subjectaccessreviews.authorization.k8s.io is forbidden: User "viewer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
    const yes = await registry.create('subjectaccessreviews', '', sar(spec), { user: delegator });
    assert.equal(statusOf(yes).allowed, true);
    // The subject's groups are taken as given: a group row grants through them.
    const asMaster = await registry.create('subjectaccessreviews', '', sar({ user: 'nobody', groups: ['system:masters'], resourceAttributes: { verb: 'delete', resource: 'nodes' } }), { user: delegator });
    assert.equal(statusOf(asMaster).allowed, true);
    // extra is a map of string lists (ExtraValue), as delegating servers send it.
    const withExtra = await registry.create('subjectaccessreviews', '', sar({ user: 'viewer', uid: 'u', extra: { scopes: ['a', 'b'] }, resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'team' } }), { user: delegator });
    assert.equal(statusOf(withExtra).allowed, true);
    await rejects(registry.create('subjectaccessreviews', '', sar({ user: 'viewer', extra: { scopes: 'a' }, resourceAttributes: { verb: 'get' } }), { user: delegator }), 400, /cannot unmarshal string into Go struct field/);
    const no = await registry.create('subjectaccessreviews', '', sar({ user: 'nobody', resourceAttributes: { verb: 'get', resource: 'pods' } }), { user: admin });
    assert.deepEqual(statusOf(no), { allowed: false });
    await rejects(registry.create('subjectaccessreviews', '', sar({ resourceAttributes: { verb: 'get' } }), { user: admin }), 422, /spec.user: Invalid value: "": at least one of user or group must be specified/);
  });

  it('a LocalSubjectAccessReview needs create in its namespace and asks only about it', async () => {
    const spec = { user: 'viewer', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'team' } };
    const yes = await registry.create('localsubjectaccessreviews', 'team', sar(spec, 'LocalSubjectAccessReview'), { user: lead });
    assert.equal(statusOf(yes).allowed, true);
    assert.equal(yes.metadata.namespace, 'team');
    await rejects(registry.create('localsubjectaccessreviews', 'other', sar({ ...spec, resourceAttributes: { ...spec.resourceAttributes, namespace: 'other' } }, 'LocalSubjectAccessReview'), { user: lead }), 403, 'localsubjectaccessreviews.authorization.k8s.io is forbidden: User "team-lead" cannot create resource "localsubjectaccessreviews" in API group "authorization.k8s.io" in the namespace "other"');
    await rejects(registry.create('localsubjectaccessreviews', 'team', sar({ ...spec, resourceAttributes: { ...spec.resourceAttributes, namespace: 'default' } }, 'LocalSubjectAccessReview'), { user: lead }), 422, 'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "default": must match metadata.namespace');
    await rejects(registry.create('localsubjectaccessreviews', 'team', sar({ user: 'viewer', nonResourceAttributes: { verb: 'get', path: '/' } }, 'LocalSubjectAccessReview'), { user: lead }), 422, /spec.nonResourceAttributes: Invalid value: .*disallowed on this kind of request/);
  });
});

describe('SelfSubjectRulesReview, SelfSubjectReview, TokenReview', () => {
  it('lists the caller\'s rules in a namespace', async () => {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'team' } } as unknown as KubeObject;
    const r = await registry.create('selfsubjectrulesreviews', '', body, { user: viewer });
    assert.deepEqual(statusOf(r), {
      resourceRules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/api/*'] }],
      incomplete: false,
    });
    const elsewhere = await registry.create('selfsubjectrulesreviews', '', { ...body, spec: { namespace: 'default' } } as KubeObject, { user: viewer });
    assert.deepEqual(statusOf(elsewhere).resourceRules, []);
    await rejects(registry.create('selfsubjectrulesreviews', '', { ...body, spec: {} } as KubeObject, { user: viewer }), 400, 'no namespace on request');
    const broken = await (async () => {
      const reg = new EtcdRegistry({ store: memoryStore().store });
      registerReviews(reg, { authorize: () => ({ decision: 'NoOpinion', reason: '' }), rulesFor: () => { throw new Error('role cache not synced'); } });
      try {
        return await reg.create('selfsubjectrulesreviews', '', { ...body } as KubeObject, { user: viewer });
      } finally {
        await reg.close();
      }
    })();
    assert.deepEqual(statusOf(broken), { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'role cache not synced' });
  });

  it('tells the caller who it is', async () => {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null } } as unknown as KubeObject;
    const r = await registry.create('selfsubjectreviews', '', body, { user: { name: 'bob', uid: 'u1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } } });
    assert.deepEqual(statusOf(r), { userInfo: { username: 'bob', uid: 'u1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } } });
    assert.match(String(r.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT/);
  });

  it('tells whose a token is', async () => {
    const tr = (token?: string) => json({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token } }) as unknown as KubeObject;
    const ok = await registry.create('tokenreviews', '', tr('viewer-token'), { user: admin });
    assert.deepEqual(statusOf(ok), { authenticated: true, user: { username: 'viewer', uid: 'u-v', groups: ['readers', 'system:authenticated'] } });
    const bad = await registry.create('tokenreviews', '', tr('nope'), { user: admin });
    assert.deepEqual(statusOf(bad), { authenticated: false });
    await rejects(registry.create('tokenreviews', '', tr(), { user: admin }), 400, 'token is required for TokenReview in authentication');
  });
});

describe('hostile review bodies', () => {
  it('every field of every review set to a value of the wrong shape is a 4xx, never a crash', async () => {
    const values: unknown[] = [null, 1, 'x', [], {}, [1], { a: 1 }, true, '', -1, { verb: 'get' }, ['a', null]];
    const fields = ['spec', 'metadata', 'status', 'spec.resourceAttributes', 'spec.nonResourceAttributes', 'spec.user', 'spec.groups', 'spec.extra', 'spec.extra.k', 'spec.uid', 'spec.namespace', 'spec.token', 'spec.audiences', 'metadata.namespace', 'metadata.name', 'spec.resourceAttributes.verb'];
    const resources = ['selfsubjectaccessreviews', 'subjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews', 'tokenreviews'];
    let answered = 0;
    for (const resource of resources) {
      for (const f of fields) {
        for (const v of values) {
          const obj: Record<string, any> = { spec: { user: 'u', resourceAttributes: { verb: 'get', namespace: 'team' }, namespace: 'team', token: 't' } };
          const path = f.split('.');
          let o = obj;
          for (const p of path.slice(0, -1)) o = o[p] = typeof o[p] === 'object' && o[p] !== null ? o[p] : {};
          o[path.at(-1)!] = v;
          try {
            await registry.create(resource, 'team', json(obj) as KubeObject, { user: admin });
            answered++;
          } catch (e) {
            assert.ok(e instanceof ApiError && e.code >= 400 && e.code < 500, `${resource} ${f}=${JSON.stringify(v)}: ${String(e)}`);
          }
        }
      }
    }
    assert.ok(answered > 0);
  });
});
