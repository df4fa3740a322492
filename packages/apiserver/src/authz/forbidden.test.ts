import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from './types.js';
import { forbiddenError } from './forbidden.js';
import { parseAuthorizationModes, privilegedGroups, runChain, alwaysAllow, alwaysDeny } from './chain.js';

const a = (o: Partial<Attributes>): Attributes => ({
  user: { name: 'alice', groups: [] }, verb: 'list', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '', ...o,
});

test('403s are worded as kube-apiserver words them', () => {
  let e = forbiddenError(a({}));
  assert.equal(e.code, 403);
  assert.equal(e.status.reason, 'Forbidden');
  assert.equal(e.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.deepEqual(e.status.details, { kind: 'pods', name: undefined, group: undefined });
  e = forbiddenError(a({ verb: 'get', name: 'p', namespace: '' }));
  assert.equal(e.message, 'pods "p" is forbidden: User "alice" cannot get resource "pods" in API group "" at the cluster scope');
  e = forbiddenError(a({ verb: 'create', name: 'p', subresource: 'exec' }));
  assert.equal(e.message, 'pods "p" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"');
  e = forbiddenError(a({ resource: 'deployments', apiGroup: 'apps' }));
  assert.equal(e.message, 'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" in the namespace "default"');
  assert.equal(e.status.details?.group, 'apps');
  e = forbiddenError(a({ resourceRequest: false, verb: 'get', path: '/metrics', resource: '', namespace: '' }));
  assert.equal(e.message, 'forbidden: User "alice" cannot get path "/metrics"');
});

test('--authorization-mode parses known modes once each', () => {
  assert.deepEqual(parseAuthorizationModes('Node,RBAC'), ['Node', 'RBAC']);
  assert.throws(() => parseAuthorizationModes('ABAC'), /not supported/);
  assert.throws(() => parseAuthorizationModes('RBAC,RBAC'), /more than once/);
  assert.throws(() => parseAuthorizationModes(''), /at least one/);
});

test('the chain: system:masters first, then the first Allow or Deny', () => {
  const masters = a({ user: { name: 'root', groups: ['system:masters'] } });
  assert.equal(runChain([privilegedGroups, alwaysDeny], masters).decision, 'Allow');
  assert.equal(runChain([privilegedGroups, alwaysDeny, alwaysAllow], a({})).decision, 'Deny');
  assert.equal(runChain([privilegedGroups, alwaysAllow, alwaysDeny], a({})).decision, 'Allow');
  assert.equal(runChain([privilegedGroups], a({})).decision, 'NoOpinion');
});
