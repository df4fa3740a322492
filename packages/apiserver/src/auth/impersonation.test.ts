// Impersonation against a decision table: each identity asked for needs `impersonate` on it;
// refusals are kube-apiserver's 403 words; the acting user is built as upstream builds it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/api';
import { createImpersonator, impersonate, splitServiceAccount } from './impersonation.js';
import { tableAuthorizer } from '../testing/table-authorizer.js';

const table = tableAuthorizer([
  { subjects: ['alice'], verbs: ['impersonate'], resources: ['users'], resourceNames: ['bob', 'system:anonymous'] },
  { subjects: ['alice'], verbs: ['impersonate'], resources: ['groups'], resourceNames: ['devs'] },
  { subjects: ['alice'], verbs: ['impersonate'], resources: ['serviceaccounts'], namespace: 'ns1' },
  { subjects: ['alice'], verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes/x', 'uids'] },
  { subjects: ['group:impersonators'], verbs: ['impersonate'], resources: ['users'] },
  { subjects: ['group:impersonators'], verbs: ['impersonate'], resources: ['users'], resourceNames: ['root'], deny: true },
]);
const authorize = (a: Parameters<typeof table.authorize>[0]) => table.authorize(a);
const alice = { name: 'alice', groups: ['system:authenticated'] };
const carol = { name: 'carol', groups: ['system:authenticated'] };

function refused(fn: () => unknown, code: number, message: string, details?: object): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.status.message, message);
    if (details) assert.deepEqual(e.status.details, details);
    return true;
  });
}

describe('impersonation', () => {
  it('leaves a request without impersonation headers as it was', () => {
    assert.equal(impersonate(alice, { accept: ['*/*'] }, authorize), alice);
  });

  it('runs as the user asked for when allowed, adding system:authenticated', () => {
    assert.deepEqual(impersonate(alice, { 'impersonate-user': ['bob'] }, authorize), { name: 'bob', groups: ['system:authenticated'] });
    assert.deepEqual(impersonate({ name: 'x', groups: ['impersonators'] }, { 'impersonate-user': ['anyone'] }, authorize), { name: 'anyone', groups: ['system:authenticated'] });
  });

  it('refuses a caller without impersonate on the user with Kubernetes\' 403', () => {
    refused(() => impersonate(carol, { 'impersonate-user': ['bob'] }, authorize), 403, 'users "bob" is forbidden: User "carol" cannot impersonate resource "users" in API group "" at the cluster scope', { name: 'bob', kind: 'users' });
    refused(() => impersonate(alice, { 'impersonate-user': ['eve'] }, authorize), 403, 'users "eve" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    // A deny row's reason follows the message.
    refused(() => impersonate({ name: 'x', groups: ['impersonators'] }, { 'impersonate-user': ['root'] }, authorize), 403, 'users "root" is forbidden: User "x" cannot impersonate resource "users" in API group "" at the cluster scope: denied by row 5');
  });

  it('checks every group; given groups replace the defaults', () => {
    assert.deepEqual(impersonate(alice, { 'impersonate-user': ['bob'], 'impersonate-group': ['devs'] }, authorize), { name: 'bob', groups: ['devs', 'system:authenticated'] });
    refused(() => impersonate(alice, { 'impersonate-user': ['bob'], 'impersonate-group': ['devs', 'system:masters'] }, authorize), 403, 'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
  });

  it('impersonates a service account in its namespace with its groups', () => {
    assert.deepEqual(impersonate(alice, { 'impersonate-user': ['system:serviceaccount:ns1:builder'] }, authorize), {
      name: 'system:serviceaccount:ns1:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
    });
    refused(() => impersonate(alice, { 'impersonate-user': ['system:serviceaccount:ns2:builder'] }, authorize), 403, 'serviceaccounts "builder" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns2"');
    assert.equal(splitServiceAccount('system:serviceaccount:Bad_NS:x'), undefined);
    assert.equal(splitServiceAccount('system:serviceaccount:a:b:c'), undefined);
  });

  it('checks extra values (percent-encoded keys) and the uid in authentication.k8s.io', () => {
    const u = impersonate(alice, { 'impersonate-user': ['bob'], 'impersonate-extra-scopes%2fx': ['read', 'write'], 'impersonate-uid': ['u-1'] }, authorize);
    assert.deepEqual(u, { name: 'bob', groups: ['system:authenticated'], uid: 'u-1', extra: { 'scopes/x': ['read', 'write'] } });
    refused(() => impersonate(alice, { 'impersonate-user': ['bob'], 'impersonate-extra-other': ['v'] }, authorize), 403, 'userextras.authentication.k8s.io "v" is forbidden: User "alice" cannot impersonate resource "userextras/other" in API group "authentication.k8s.io" at the cluster scope', { name: 'v', group: 'authentication.k8s.io', kind: 'userextras' });
    refused(() => impersonate(carol, { 'impersonate-user': ['bob'], 'impersonate-uid': ['u-1'] }, authorize), 403, 'users "bob" is forbidden: User "carol" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('adds system:unauthenticated to an impersonated anonymous user', () => {
    assert.deepEqual(impersonate(alice, { 'impersonate-user': ['system:anonymous'] }, authorize), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  it('refuses groups, extra or a uid without a user as a 400, and survives hostile headers', () => {
    refused(() => impersonate(alice, { 'impersonate-group': ['devs'] }, authorize), 400, 'requested impersonation of groups, extra or a uid without impersonating a user');
    refused(() => impersonate(alice, { 'impersonate-uid': ['u'] }, authorize), 400, 'requested impersonation of groups, extra or a uid without impersonating a user');
    const all = tableAuthorizer([{ subjects: ['alice'], verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    const u = impersonate(alice, { 'impersonate-user': ['bob'], 'impersonate-extra-__proto__': ['x'], 'impersonate-extra-%zz': ['y'] }, (a) => all.authorize(a));
    assert.deepEqual(Object.entries(u.extra ?? {}), [['__proto__', ['x']], ['%zz', ['y']]]);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('treats an authorizer that throws as a refusal, and the handler form returns the Status', () => {
    const impersonator = createImpersonator(() => {
      throw new Error('cache not synced');
    });
    const r = impersonator(alice, { 'impersonate-user': ['bob'] });
    assert.ok('refused' in r);
    assert.equal(r.refused.code, 403);
    assert.equal(r.refused.message, 'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope: cache not synced');
  });
});
