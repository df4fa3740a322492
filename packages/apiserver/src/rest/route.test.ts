import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from './route.js';

test('discovery paths', () => {
  assert.deepEqual(parseRoute('/api'), { type: 'apiVersions' });
  assert.deepEqual(parseRoute('/apis'), { type: 'apiGroups' });
  assert.deepEqual(parseRoute('/apis/apps'), { type: 'apiGroup', group: 'apps' });
  assert.deepEqual(parseRoute('/api/v1'), { type: 'resourceList', group: '', version: 'v1' });
  assert.deepEqual(parseRoute('/apis/apps/v1'), { type: 'resourceList', group: 'apps', version: 'v1' });
  assert.equal(parseRoute('/version'), undefined);
});

test('namespaced objects and subresources', () => {
  const r = parseRoute('/api/v1/namespaces/default/pods/web/log');
  assert.equal(r?.type, 'resource');
  if (r?.type !== 'resource') return;
  assert.equal(r.namespace, 'default');
  assert.equal(r.resource, 'pods');
  assert.equal(r.name, 'web');
  assert.equal(r.subresource, 'log');
  assert.equal(r.info?.kind, 'Pod');

  const d = parseRoute('/apis/apps/v1/namespaces/ns1/deployments/web/scale');
  assert.ok(d?.type === 'resource' && d.info?.kind === 'Deployment' && d.subresource === 'scale' && d.namespace === 'ns1');
});

test('all-namespace lists, cluster-scoped objects and namespaces themselves', () => {
  const all = parseRoute('/api/v1/pods');
  assert.ok(all?.type === 'resource' && all.namespace === undefined && all.name === undefined && all.info?.resource === 'pods');
  const node = parseRoute('/api/v1/nodes/n1/status');
  assert.ok(node?.type === 'resource' && node.name === 'n1' && node.subresource === 'status' && node.info?.namespaced === false);
  const ns = parseRoute('/api/v1/namespaces/demo');
  assert.ok(ns?.type === 'resource' && ns.resource === 'namespaces' && ns.name === 'demo' && ns.namespace === undefined);
  const fin = parseRoute('/api/v1/namespaces/demo/finalize');
  assert.ok(fin?.type === 'resource' && fin.resource === 'namespaces' && fin.name === 'demo' && fin.subresource === 'finalize');
});

test('unknown resources keep their name but no info; wrong group-version has no info', () => {
  const u = parseRoute('/api/v1/namespaces/default/widgets');
  assert.ok(u?.type === 'resource' && u.resource === 'widgets' && u.info === undefined);
  const wrong = parseRoute('/apis/apps/v1/namespaces/default/pods');
  assert.ok(wrong?.type === 'resource' && wrong.info === undefined);
});

test('legacy watch prefix', () => {
  const w = parseRoute('/api/v1/watch/namespaces/default/pods');
  assert.ok(w?.type === 'resource' && w.watchPath && w.namespace === 'default' && w.info?.resource === 'pods');
});

test('malformed paths address nothing', () => {
  assert.equal(parseRoute('/api/v1/namespaces/%zz/pods'), undefined);
  assert.equal(parseRoute('/api/v1/namespaces/a/pods/b/log/extra'), undefined);
  assert.equal(parseRoute('/'), undefined);
});

test('proxy subresources keep the path they proxy after them', () => {
  const p = parseRoute('/api/v1/namespaces/ns/pods/web:8080/proxy/a/b/c');
  assert.ok(p?.type === 'resource' && p.resource === 'pods' && p.name === 'web:8080' && p.subresource === 'proxy' && p.namespace === 'ns');
  const s = parseRoute('/api/v1/namespaces/ns/services/https:web:443/proxy/x');
  assert.ok(s?.type === 'resource' && s.resource === 'services' && s.name === 'https:web:443' && s.subresource === 'proxy');
  const n = parseRoute('/api/v1/nodes/n1/proxy/metrics/resource');
  assert.ok(n?.type === 'resource' && n.resource === 'nodes' && n.name === 'n1' && n.subresource === 'proxy' && n.namespace === undefined);
  // other subresources still take no extra segments
  assert.equal(parseRoute('/api/v1/namespaces/ns/pods/web/log/extra'), undefined);
  assert.equal(parseRoute('/api/v1/nodes/n1/status/extra'), undefined);
});
