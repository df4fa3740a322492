import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { applyDefaults } from '../defaults.js';
import { fieldErrorString } from './field-error.js';
import { validate } from './index.js';

const backend = (name = 'web', port: any = { number: 80 }) => ({ service: { name, port } });
const path = (p: any = {}) => ({ path: '/', pathType: 'Prefix', backend: backend(), ...p });
const ing = (spec: any, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'i', namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec,
});
function errors(spec: any, annotations?: Record<string, string>): string[] {
  const o = ing(spec, annotations);
  applyDefaults('ingresses', o);
  return validate('ingresses', o).map(fieldErrorString);
}
const rule = (host: string | undefined, paths: any[]) => ({ ...(host === undefined ? {} : { host }), http: { paths } });

test('ingress: a valid spec passes', () => {
  assert.deepEqual(errors({ rules: [rule('a.example.com', [path(), path({ path: '/api', pathType: 'Exact', backend: backend('api', { name: 'http' }) })]), rule('*.example.com', [path()])] }), []);
  assert.deepEqual(errors({ defaultBackend: backend() }), []);
  assert.deepEqual(errors({ rules: [rule(undefined, [path({ path: '', pathType: 'ImplementationSpecific' })])] }), []);
  assert.deepEqual(errors({ defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } }), []);
});

test('ingress: pathType is required and checked', () => {
  assert.deepEqual(errors({ rules: [rule('a.com', [path({ pathType: undefined })])] }), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  assert.deepEqual(errors({ rules: [rule('a.com', [path({ pathType: 'Regex' })])] }), [
    'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  ]);
  assert.deepEqual(errors({ rules: [rule('a.com', [path({ path: 'api' })])] }), ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']);
  assert.deepEqual(errors({ rules: [rule('a.com', [path({ path: '/a//b' })])] }), ["spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"]);
  assert.deepEqual(errors({ rules: [rule('a.com', [path({ path: '/a/..' })])] }), ["spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'"]);
  assert.deepEqual(errors({ rules: [rule('a.com', [])] }), ['spec.rules[0].http.paths: Required value']);
});

test('ingress: hosts are DNS names, wildcards only as a first label, never IPs', () => {
  assert.deepEqual(errors({ rules: [rule('10.0.0.1', [path()])] }), [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
  ]);
  const bad = errors({ rules: [rule('Bad_Host', [path()])] });
  assert.equal(bad.length, 1);
  assert.match(bad[0]!, /^spec\.rules\[0\]\.host: Invalid value: "Bad_Host": a lowercase RFC 1123 subdomain/);
  const wild = errors({ rules: [rule('a.*.com', [path()])] });
  assert.equal(wild.length, 1);
  assert.match(wild[0]!, /^spec\.rules\[0\]\.host: Invalid value: "a\.\*\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/);
});

test('ingress: backends: one of resource and service, a port by name or in range', () => {
  const both = { service: { name: 'web', port: { number: 80 } }, resource: { kind: 'Bucket', name: 'b' } };
  assert.deepEqual(errors({ defaultBackend: both }), ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends']);
  assert.deepEqual(errors({ defaultBackend: {} }), ['spec.defaultBackend: Invalid value: "": resource or service backend is required']);
  assert.deepEqual(errors({ defaultBackend: backend('web', { number: 70000 }) }), ['spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  assert.deepEqual(errors({ defaultBackend: backend('web', { number: -1 }) }), ['spec.defaultBackend.service.port.number: Invalid value: -1: must be between 1 and 65535, inclusive']);
  assert.deepEqual(errors({ defaultBackend: backend('web', {}) }), ['spec.defaultBackend: Required value: port name or number is required']);
  assert.deepEqual(errors({ defaultBackend: backend('web', { name: 'http', number: 80 }) }), ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number']);
  assert.deepEqual(errors({ defaultBackend: backend('', { number: 80 }) }), ['spec.defaultBackend.service.name: Required value']);
  assert.equal(errors({ defaultBackend: backend('1web', { number: 80 }) }).length, 1);
  assert.deepEqual(errors({ defaultBackend: { resource: { kind: 'a/b', name: '' } } }), [
    "spec.defaultBackend.resource.kind: Invalid value: \"a/b\": may not contain '/'",
    'spec.defaultBackend.resource.name: Required value: name is required',
  ]);
});

test('ingress: rules or a default backend; class name and annotation agree', () => {
  assert.deepEqual(errors({}), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
  assert.deepEqual(errors({ defaultBackend: backend(), ingressClassName: 'Bad' }).length, 1);
  assert.deepEqual(errors({ defaultBackend: backend(), ingressClassName: 'a' }, { 'kubernetes.io/ingress.class': 'b' }), [
    'metadata.annotations.kubernetes.io/ingress.class: Invalid value: "b": must match `ingressClassName` when both are specified',
  ]);
});

test('ingress status: addresses are IPs or DNS names', () => {
  const old = ing({ defaultBackend: backend() });
  const next = { ...old, status: { loadBalancer: { ingress: [{ ip: 'not-an-ip' }, { hostname: '10.1.1.1' }, { ip: '10.0.0.1' }] } } };
  assert.deepEqual(validate('ingresses', next, old, { subresource: 'status' }).map(fieldErrorString), [
    'status.loadBalancer.ingress[0].ip: Invalid value: "not-an-ip": must be a valid IP address',
    'status.loadBalancer.ingress[1].hostname: Invalid value: "10.1.1.1": must be a DNS name, not an IP address',
  ]);
});

test('ingressclass: controller is a domain-prefixed path and immutable; parameters scope defaults to Cluster', () => {
  const ic = (spec: any): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'c' }, spec });
  const check = (o: KubeObject, old?: KubeObject) => (applyDefaults('ingressclasses', o), validate('ingressclasses', o, old).map(fieldErrorString));
  assert.deepEqual(check(ic({ controller: 'k8ts.io/ingress-controller' })), []);
  assert.deepEqual(check(ic({})), ['spec.controller: Required value']);
  assert.deepEqual(check(ic({ controller: 'nodomain' })), ['spec.controller: Invalid value: "nodomain": must be a domain-prefixed path (such as "acme.io/foo")']);
  const withParams = ic({ controller: 'a.io/b', parameters: { kind: 'Cfg', name: 'x' } });
  assert.deepEqual(check(withParams), []);
  assert.equal(withParams.spec.parameters.scope, 'Cluster');
  assert.deepEqual(check(ic({ controller: 'a.io/b', parameters: { kind: 'Cfg', name: 'x', scope: 'Namespace' } })), [
    'spec.parameters.namespace: Required value: `parameters.scope` is set to "Namespace"',
  ]);
  assert.deepEqual(check(ic({ controller: 'a.io/c' }), ic({ controller: 'a.io/b' })), ['spec.controller: Invalid value: "a.io/c": field is immutable']);
});
