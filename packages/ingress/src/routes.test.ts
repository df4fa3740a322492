import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { buildRouteTable, matchRoute, normalizeHost, pathMatches } from './routes.js';
import { resolveEndpoints } from './backends.js';
import { isServed, ownClasses } from './classes.js';
import { desiredLoadBalancer } from './status.js';

const be = (name: string, number = 80) => ({ service: { name, port: { number } } });
const p = (path: string, pathType: string, svc: string) => ({ path, pathType, backend: be(svc) });
function ing(name: string, spec: any, created = '2026-01-01T00:00:00Z', extra: any = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', creationTimestamp: created, ...extra }, spec } as KubeObject;
}
const svcOf = (t: ReturnType<typeof buildRouteTable>, host: string | undefined, path: string) => matchRoute(t, host, path)?.backend.service?.name;

test('Prefix matches by path elements; a trailing slash in the rule is ignored', () => {
  const r = (path: string) => ({ path, pathType: 'Prefix' as const });
  assert.ok(pathMatches(r('/'), '/anything/at/all'));
  assert.ok(pathMatches(r('/foo'), '/foo'));
  assert.ok(pathMatches(r('/foo'), '/foo/'));
  assert.ok(pathMatches(r('/foo'), '/foo/bar'));
  assert.ok(!pathMatches(r('/foo'), '/foobar'));
  assert.ok(pathMatches(r('/foo/'), '/foo'));
  assert.ok(!pathMatches(r('/aaa/bbb'), '/aaa/bbbxyz'));
  assert.ok(pathMatches(r('/aaa/bbb'), '/aaa/bbb/ccc'));
  assert.ok(!pathMatches(r('/foo'), '/Foo'), 'case-sensitive');
  assert.ok(pathMatches({ path: '', pathType: 'ImplementationSpecific' }, '/x'), 'an empty ImplementationSpecific path is /');
});

test('Exact matches the whole path only', () => {
  const r = { path: '/foo', pathType: 'Exact' as const };
  assert.ok(pathMatches(r, '/foo'));
  assert.ok(!pathMatches(r, '/foo/'));
  assert.ok(!pathMatches(r, '/foo/bar'));
});

test('longest path first, then Exact over Prefix, then the older Ingress', () => {
  const t = buildRouteTable([
    ing('b', { rules: [{ host: 'a.com', http: { paths: [p('/', 'Prefix', 'root'), p('/api', 'Prefix', 'api-prefix'), p('/api/v1', 'Prefix', 'v1')] } }] }, '2026-01-02T00:00:00Z'),
    ing('a', { rules: [{ host: 'a.com', http: { paths: [p('/api', 'Exact', 'api-exact'), p('/api/v1', 'Prefix', 'older-v1')] } }] }, '2026-01-01T00:00:00Z'),
  ]);
  assert.equal(svcOf(t, 'a.com', '/'), 'root');
  assert.equal(svcOf(t, 'a.com', '/api'), 'api-exact');
  assert.equal(svcOf(t, 'a.com', '/api/x'), 'api-prefix');
  assert.equal(svcOf(t, 'a.com', '/api/v1/users'), 'older-v1', 'same path and type: the older Ingress wins');
  assert.equal(matchRoute(t, 'a.com', '/api/v1')?.ingress, 'default/a');
});

test('hosts: exact beats wildcard beats no host; a wildcard covers one label; then the default backend', () => {
  const t = buildRouteTable([
    ing('x', {
      defaultBackend: be('fallback'),
      rules: [
        { host: 'foo.example.com', http: { paths: [p('/only', 'Prefix', 'exact')] } },
        { host: '*.example.com', http: { paths: [p('/', 'Prefix', 'wild')] } },
        { http: { paths: [p('/any', 'Prefix', 'any')] } },
      ],
    }),
  ]);
  assert.equal(svcOf(t, 'foo.example.com', '/only'), 'exact');
  assert.equal(svcOf(t, 'foo.example.com', '/other'), 'wild', 'no exact path: falls through to the wildcard');
  assert.equal(svcOf(t, 'bar.example.com', '/'), 'wild');
  assert.equal(svcOf(t, 'a.b.example.com', '/'), 'fallback', 'a wildcard matches one label only');
  assert.equal(svcOf(t, 'example.com', '/'), 'fallback');
  assert.equal(svcOf(t, 'other.org', '/any/thing'), 'any');
  assert.equal(svcOf(t, undefined, '/any'), 'any');
  assert.equal(svcOf(t, 'other.org', '/'), 'fallback');
  assert.equal(matchRoute(buildRouteTable([]), 'x.com', '/'), undefined, 'nothing at all: 404');
});

test('Host headers: port, case and a trailing dot are ignored; garbage is no host', () => {
  assert.equal(normalizeHost('Foo.Example.COM:8080'), 'foo.example.com');
  assert.equal(normalizeHost('foo.example.com.'), 'foo.example.com');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
  for (const bad of [undefined, '', ' ', 'a b', 'user@host', 'host:port', 'host:99999999', 'x'.repeat(300), '*.example.com', '../etc', 'a/b', '\u00e9.com'])
    assert.equal(normalizeHost(bad), undefined, String(bad));
});

test('backends: the service port by number or name, ready endpoints of its slices on the named slice port', () => {
  const svc = { metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] } };
  const slice = (endpoints: any[], ports = [{ name: 'http', port: 8080, protocol: 'TCP' }]) => ({ metadata: { name: 's', namespace: 'default' }, addressType: 'IPv4', ports, endpoints });
  const lookup = (slices: any[]) => ({ service: (ns: string, n: string) => (ns === 'default' && n === 'web' ? (svc as any) : undefined), slices: () => slices });
  const ready = [{ addresses: ['10.0.0.1'], conditions: { ready: true } }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'], conditions: { ready: false } }];
  const l = lookup([slice(ready)]);
  assert.deepEqual(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { number: 80 } } }, l), [{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 8080 }]);
  assert.deepEqual(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { name: 'http' } } }, l), [{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 8080 }]);
  assert.equal(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { number: 81 } } }, l), 'ServicePortNotFound');
  assert.equal(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { name: 'dns' } } }, l), 'ServicePortNotFound', 'UDP is not HTTP');
  assert.equal(resolveEndpoints({ namespace: 'other', service: { name: 'web', port: { number: 80 } } }, l), 'ServiceNotFound');
  assert.equal(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { number: 80 } } }, lookup([slice([ready[2]])])), 'NoReadyEndpoints');
  assert.equal(resolveEndpoints({ namespace: 'default', service: { name: 'web', port: { number: 80 } } }, lookup([])), 'NoReadyEndpoints');
  assert.equal(resolveEndpoints({ namespace: 'default', resource: { kind: 'Bucket', name: 'b' } }, l), 'ResourceBackendUnsupported');
});

test('classes: the controller serves its classes, and class-less Ingresses while one of its classes is default', () => {
  const ic = (name: string, controller: string, isDefault = false) =>
    ({ metadata: { name, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} }, spec: { controller } }) as KubeObject;
  const mine = ownClasses([ic('k8ts', 'k8ts.io/ingress-controller', true), ic('nginx', 'k8s.io/ingress-nginx')], 'k8ts.io/ingress-controller');
  assert.ok(isServed(ing('a', { ingressClassName: 'k8ts' }), mine));
  assert.ok(!isServed(ing('b', { ingressClassName: 'nginx' }), mine));
  assert.ok(isServed(ing('c', {}), mine));
  assert.ok(isServed(ing('d', {}, undefined, { annotations: { 'kubernetes.io/ingress.class': 'k8ts' } }), mine));
  const notDefault = ownClasses([ic('k8ts', 'k8ts.io/ingress-controller')], 'k8ts.io/ingress-controller');
  assert.ok(!isServed(ing('c', {}), notDefault));
});

test('status: our address on served Ingresses, removed from those no longer served, others kept', () => {
  const withLb = (lb: any[]) => ({ ...ing('a', {}), status: { loadBalancer: { ingress: lb } } }) as KubeObject;
  assert.deepEqual(desiredLoadBalancer(ing('a', {}), true, '10.0.0.1'), [{ ip: '10.0.0.1' }]);
  assert.equal(desiredLoadBalancer(withLb([{ ip: '10.0.0.1' }]), true, '10.0.0.1'), undefined);
  assert.deepEqual(desiredLoadBalancer(withLb([{ ip: '10.9.9.9' }]), true, '10.0.0.1'), [{ ip: '10.0.0.1' }]);
  assert.deepEqual(desiredLoadBalancer(withLb([{ ip: '10.0.0.1' }, { ip: '10.9.9.9' }]), false, '10.0.0.1'), [{ ip: '10.9.9.9' }]);
  assert.equal(desiredLoadBalancer(withLb([{ ip: '10.9.9.9' }]), false, '10.0.0.1'), undefined);
});
