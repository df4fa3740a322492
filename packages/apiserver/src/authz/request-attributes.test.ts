import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, type ResourceRoute } from '../rest/route.js';
import { grpcAttributes, nonResourceAttributes, resourceAttributes, resourceVerb } from './request-attributes.js';

const u = { name: 'alice', groups: [] };
function rest(method: string, url: string) {
  const [path, query = ''] = url.split('?');
  const route = parseRoute(path!) as ResourceRoute;
  const q = new URLSearchParams(query);
  return resourceAttributes(u, resourceVerb(method, route, q), route, path!, q);
}

test('REST verbs from the method, the query and the path, as RequestInfo derives them', () => {
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods').verb, 'list');
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods?watch=1').verb, 'watch');
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods?watch=true').verb, 'watch');
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods?watch=false').verb, 'list');
  assert.equal(rest('GET', '/api/v1/watch/namespaces/ns/pods').verb, 'watch');
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods/p').verb, 'get');
  assert.equal(rest('POST', '/api/v1/namespaces/ns/pods').verb, 'create');
  assert.equal(rest('PUT', '/api/v1/namespaces/ns/pods/p/status').verb, 'update');
  assert.equal(rest('PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale').verb, 'patch');
  assert.equal(rest('DELETE', '/api/v1/namespaces/ns/pods/p').verb, 'delete');
  assert.equal(rest('DELETE', '/api/v1/namespaces/ns/pods').verb, 'deletecollection');
  const a = rest('PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale');
  assert.deepEqual([a.apiGroup, a.resource, a.subresource, a.namespace, a.name], ['apps', 'deployments', 'scale', 'ns', 'd']);
  // a list of one object by field selector names it; a namespace is in itself
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp').name, 'p');
  assert.equal(rest('GET', '/api/v1/namespaces/ns').namespace, 'ns');
  assert.equal(rest('GET', '/api/v1/nodes').namespace, '');
});

test('non-resource requests and gRPC requests', () => {
  assert.deepEqual(
    (({ verb, resourceRequest, path }) => ({ verb, resourceRequest, path }))(nonResourceAttributes(u, 'GET', '/healthz')),
    { verb: 'get', resourceRequest: false, path: '/healthz' },
  );
  const g = grpcAttributes(u, 'create', { resource: 'deployments', namespace: 'ns', name: 'ignored' });
  assert.deepEqual([g.apiGroup, g.resource, g.namespace, g.name], ['apps', 'deployments', 'ns', '']);
  const b = grpcAttributes(u, 'create', { resource: 'pods', namespace: 'ns', name: 'p', subresource: 'binding' });
  assert.deepEqual([b.subresource, b.name], ['binding', 'p']);
});

test('list and watch carry their field selector on both faces (the Node authorizer scopes pods by it)', () => {
  assert.equal(rest('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1').fieldSelector, 'spec.nodeName=n1');
  assert.equal(rest('GET', '/api/v1/pods?watch=1').fieldSelector, '');
  assert.equal(rest('GET', '/api/v1/namespaces/ns/pods/p').fieldSelector, undefined);
  const w = grpcAttributes(u, 'watch', { resource: 'pods', namespace: '', field_selector: 'spec.nodeName=n1' });
  assert.deepEqual([w.fieldSelector, w.name], ['spec.nodeName=n1', '']);
  assert.equal(grpcAttributes(u, 'list', { resource: 'pods' }).fieldSelector, '');
  // a list of one object by field selector names it, as on REST
  assert.equal(grpcAttributes(u, 'list', { resource: 'nodes', field_selector: 'metadata.name=n1' }).name, 'n1');
  assert.equal(grpcAttributes(u, 'get', { resource: 'pods', namespace: 'ns', name: 'p' }).fieldSelector, undefined);
});
