import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from '../types.js';
import { ruleAllows, type PolicyRule } from './rules.js';
import { covers, compactRule } from './coverage.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
const res = (verb: string, resource: string, o: Partial<Attributes> = {}): Attributes => ({
  user: alice, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: 'default', name: '', ...o,
});
const path = (verb: string, p: string): Attributes => ({ ...res(verb, ''), resourceRequest: false, path: p });

test('verbs, groups and resources match exactly or by *', () => {
  const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  assert.ok(ruleAllows(res('list', 'pods'), r));
  assert.ok(!ruleAllows(res('delete', 'pods'), r));
  assert.ok(!ruleAllows(res('list', 'secrets'), r));
  assert.ok(!ruleAllows(res('list', 'deployments', { apiGroup: 'apps' }), r));
  assert.ok(ruleAllows(res('delete', 'deployments', { apiGroup: 'apps' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
});

test('subresources need resource/subresource or */subresource; the bare resource does not cover them', () => {
  assert.ok(!ruleAllows(res('create', 'pods', { subresource: 'exec' }), { verbs: ['create'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(res('create', 'pods', { subresource: 'exec' }), { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }));
  assert.ok(ruleAllows(res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }));
  assert.ok(!ruleAllows(res('update', 'deployments', { apiGroup: 'apps', subresource: 'status' }), { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }));
  assert.ok(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['*'] }));
});

test('resourceNames limit to the named objects; a list names none', () => {
  const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] };
  assert.ok(ruleAllows(res('get', 'configmaps', { name: 'app-config' }), r));
  assert.ok(!ruleAllows(res('get', 'configmaps', { name: 'other' }), r));
  assert.ok(!ruleAllows(res('list', 'configmaps'), r));
});

test('nonResourceURLs: exact, or a prefix with a trailing *', () => {
  const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows(path('get', '/healthz'), r));
  assert.ok(!ruleAllows(path('get', '/healthz/etcd'), r));
  assert.ok(ruleAllows(path('get', '/apis/apps/v1'), r));
  assert.ok(!ruleAllows(path('post', '/apis/apps/v1'), r));
  assert.ok(!ruleAllows(path('get', '/metrics'), r));
  // a resource rule never matches a path, a URL rule never a resource
  assert.ok(!ruleAllows(path('get', '/api'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  assert.ok(!ruleAllows(res('get', 'pods'), { verbs: ['*'], nonResourceURLs: ['*'] }));
});

test('covers: each atomic rule must be held; * asked for needs * held', () => {
  const held: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services'] }, { verbs: ['get'], nonResourceURLs: ['/api/*'] }];
  assert.ok(covers(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered);
  assert.ok(covers(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }]).covered);
  assert.ok(covers(held, [{ verbs: ['get'], nonResourceURLs: ['/api/v1'] }]).covered);
  const r = covers(held, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }]);
  assert.equal(r.covered, false);
  assert.deepEqual(r.missing.map(compactRule), [
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}',
  ]);
  assert.equal(covers(held, [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }]).covered, false);
  assert.ok(covers([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments/scale'] }]).covered);
  // held resourceNames cover only those names
  assert.equal(covers([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered, false);
});
