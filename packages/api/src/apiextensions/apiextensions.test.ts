import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateValue } from './validate-value.js';
import { prune } from './prune.js';
import { applySchemaDefaults } from './defaulting.js';
import { validateCustomResourceDefinition } from './validate-crd.js';
import { evalJsonPath, parseJsonPath } from './jsonpath.js';
import { compareKubeVersions, customResourceInfos } from './resource-info.js';
import { decodeCustomObject } from './decode-custom.js';
import type { JSONSchemaProps } from './types.js';
import { fieldErrorString } from '../validation/field-error.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[a-z0-9/:.]+$' },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        color: { type: 'string', enum: ['red', 'blue'] },
        port: { 'x-kubernetes-int-or-string': true },
        ratio: { type: 'number', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, 'x-kubernetes-list-type': 'set' },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'integer' } } },
  },
};

const errs = (v: unknown) => validateValue(schema, v, '', { root: true }).map(fieldErrorString);

test('schema validation: kube-apiserver wording for types, required, enum, bounds, patterns, lists', () => {
  assert.deepEqual(errs({ spec: { image: 'ok' } }), []);
  assert.deepEqual(errs({ spec: {} }), ['spec.image: Required value']);
  assert.deepEqual(errs({ spec: { image: 3 } }), ['spec.image: Invalid value: 3: spec.image in body must be of type string: "integer"']);
  assert.deepEqual(errs({ spec: { image: 'a', replicas: 1.5 } }), ['spec.replicas: Invalid value: 1.5: spec.replicas in body must be of type integer: "number"']);
  assert.deepEqual(errs({ spec: { image: 'a', replicas: -1 } }), ['spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0']);
  assert.deepEqual(errs({ spec: { image: 'a', replicas: 11 } }), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(errs({ spec: { image: 'a', color: 'pink' } }), ['spec.color: Unsupported value: "pink": supported values: "red", "blue"']);
  assert.deepEqual(errs({ spec: { image: 'A' } }), [`spec.image: Invalid value: "A": spec.image in body should match '^[a-z0-9/:.]+$'`]);
  assert.deepEqual(errs({ spec: { image: '' } }), ['spec.image: Invalid value: "": spec.image in body should be at least 1 chars long', `spec.image: Invalid value: "": spec.image in body should match '^[a-z0-9/:.]+$'`]);
  assert.deepEqual(errs({ spec: { image: 'a'.repeat(21) } }), ['spec.image: Too long: may not be more than 20 bytes']);
  assert.deepEqual(errs({ spec: { image: 'a', tags: ['x', 'x', 'y'] } }), ['spec.tags: Too many: 3: must have at most 2 items', 'spec.tags[1]: Duplicate value: "x"']);
  assert.deepEqual(errs({ spec: { image: 'a', ports: [{ name: 'a' }, { name: 'a' }] } }), ['spec.ports[1]: Duplicate value: {"name":"a"}']);
  assert.deepEqual(errs({ spec: { image: 'a', env: { A: 1 } } }), ['spec.env.A: Invalid value: 1: spec.env.A in body must be of type string: "integer"']);
  assert.deepEqual(errs({ spec: 'x' }), ['spec: Invalid value: "x": spec in body must be of type object: "string"']);
  assert.deepEqual(errs({ spec: { image: 'a', template: { spec: {} } } }), ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty']);
});

test('schema validation: int-or-string, nullable, preserve-unknown-fields, metadata left to ObjectMeta', () => {
  assert.deepEqual(errs({ spec: { image: 'a', port: 80 } }), []);
  assert.deepEqual(errs({ spec: { image: 'a', port: 'http' } }), []);
  assert.deepEqual(errs({ spec: { image: 'a', port: true } }), ['spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(errs({ spec: { image: 'a', ratio: null } }), []);
  assert.deepEqual(errs({ spec: { image: 'a', extra: { any: [1, { b: 2 }] } } }), []);
  assert.deepEqual(errs({ metadata: { name: 'x' }, apiVersion: 'a/v1', kind: 'K', spec: { image: 'a' } }), []);
});

test('pruning drops what the schema does not specify, keeps preserved and embedded type meta, and reports each path', () => {
  const o: any = { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'x' }, junk: 1, spec: { image: 'a', bogus: { deep: 1 }, extra: { kept: true }, env: { A: 'b' }, ports: [{ name: 'p', nope: 1 }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'n', weird: 1 }, spec: { a: 'x', b: 'y' } } }, status: { ready: 1, other: 2 } };
  const dropped = prune(o, schema);
  assert.deepEqual(dropped.sort(), ['junk', 'spec.bogus', 'spec.ports[0].nope', 'spec.template.metadata.weird', 'spec.template.spec.b', 'status.other'].sort());
  assert.deepEqual(o, { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'x' }, spec: { image: 'a', extra: { kept: true }, env: { A: 'b' }, ports: [{ name: 'p' }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'n' }, spec: { a: 'x' } } }, status: { ready: 1 } });
});

test('pruning is not fooled by inherited property names', () => {
  const o: any = JSON.parse('{"spec":{"image":"a","constructor":1,"__proto__":{"x":1},"toString":2}}');
  prune(o, schema);
  assert.deepEqual(Object.keys(o.spec), ['image']);
});

test('defaulting fills absent fields deep-first, list items included, and drops nulls of non-nullable fields', () => {
  const o: any = { spec: { image: 'a', ports: [{ name: 'p' }], color: null } };
  applySchemaDefaults(o, schema);
  assert.deepEqual(o.spec, { image: 'a', replicas: 1, ports: [{ name: 'p', port: 80 }] });
  const n: any = { spec: { image: 'a', replicas: null } };
  applySchemaDefaults(n, schema);
  assert.equal(n.spec.replicas, 1);
});

const crd = (over: Record<string, unknown> = {}, version: Record<string, unknown> = {}): any => ({
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } }, ...version }], ...over },
});
const crdErrs = (c: unknown) => validateCustomResourceDefinition(c).map(fieldErrorString);

test('CRD validation: names, group, scope, versions and non-structural schemas are 422 causes', () => {
  assert.deepEqual(crdErrs(crd()), []);
  assert.deepEqual(crdErrs({ ...crd(), metadata: { name: 'x.example.com' } }), ['metadata.name: Invalid value: "x.example.com": must be spec.names.plural+"."+spec.group']);
  assert.ok(crdErrs(crd({ group: 'example' })).includes('spec.group: Invalid value: "example": should be a domain with at least one dot'));
  assert.deepEqual(crdErrs(crd({ scope: 'Everywhere' })), ['spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"']);
  assert.match(crdErrs(crd({ names: { plural: 'Widgets', kind: 'Widget' }, })).join('\n'), /spec.names.plural: Invalid value: "Widgets": a lowercase RFC 1123 label|spec.names.plural: Invalid value: "Widgets": a DNS-1035 label/);
  assert.ok(crdErrs(crd({}, { storage: false })).includes('spec.versions: Invalid value: 1: must have exactly one version marked as storage version'));
  assert.deepEqual(crdErrs(crd({}, { schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } } } })), ['spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']);
  assert.deepEqual(crdErrs(crd({}, { schema: { openAPIV3Schema: { type: 'object', properties: { l: { type: 'array' } } } } })), ['spec.versions[0].schema.openAPIV3Schema.properties[l].items: Required value: must be specified']);
  assert.ok(crdErrs(crd({}, { schema: undefined })).includes('spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'));
  assert.ok(crdErrs(crd({}, { additionalPrinterColumns: [{ name: 'X', type: 'color', jsonPath: 'spec' }] })).length === 2);
  assert.deepEqual(crdErrs(crd({}, { subresources: { scale: { specReplicasPath: '.status.x', statusReplicasPath: '.status.r' } } })), ['spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.x": should be a json path under .spec']);
  assert.ok(crdErrs(crd({}, { schema: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'string', default: 3 } } } } })).some((e) => e.includes('properties[a].default')));
});

test("patterns are RE2's, as Go's regexp: linear in the input, no lookaround, matched anywhere in the value", () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } };
  // Catastrophic for a backtracking engine (2^5000 paths); RE2 answers at once.
  const hostile = validateValue(schema, { s: `${'a'.repeat(5000)}!` }).map(fieldErrorString);
  assert.equal(hostile.length, 1);
  assert.match(hostile[0]!, /in body should match '\^\(a\+\)\+\$'/);
  assert.deepEqual(validateValue(schema, { s: 'a'.repeat(5000) }), []);
  assert.deepEqual(validateValue({ type: 'object', properties: { s: { type: 'string', pattern: 'b' } } }, { s: 'abc' }), []);
  const lookbehind = crdErrs(crd({}, { schema: { openAPIV3Schema: { type: 'object', properties: { s: { type: 'string', pattern: '(?<=a)b' } } } } }));
  assert.equal(lookbehind.length, 1);
  assert.match(lookbehind[0]!, /properties\[s\]\.pattern: Invalid value: "\(\?<=a\)b": must be a valid regular expression/);
});

test('CRD validation never throws on bodies of any shape', () => {
  for (const body of [null, 1, 'x', [], {}, { spec: [] }, { spec: { names: 'x', versions: {} } }, { spec: { versions: [null, 1, { schema: { openAPIV3Schema: { type: 'object', properties: [] } } }] } }, { spec: { versions: [{ schema: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'array', items: [] } } } } }] } }]) {
    assert.ok(Array.isArray(validateCustomResourceDefinition(body)));
  }
});

test('printer-column JSONPath: fields, indexes, wildcards and filters', () => {
  const o = { status: { conditions: [{ type: 'A', status: 'False' }, { type: 'Ready', status: 'True' }] }, spec: { items: [{ n: 1 }, { n: 2 }] } };
  assert.deepEqual(evalJsonPath(parseJsonPath('.status.conditions[?(@.type=="Ready")].status')!, o), ['True']);
  assert.deepEqual(evalJsonPath(parseJsonPath('.spec.items[1].n')!, o), [2]);
  assert.deepEqual(evalJsonPath(parseJsonPath('.spec.items[*].n')!, o), [1, 2]);
  assert.deepEqual(evalJsonPath(parseJsonPath('.spec.missing')!, o), []);
  assert.equal(parseJsonPath('spec.x'), undefined);
  assert.equal(parseJsonPath('.spec[?(@.x'), undefined);
});

test('a CRD serves its storage version and views of its other served versions, preferred by priority', () => {
  const c = crd();
  c.spec.versions.push({ name: 'v1beta1', served: true, storage: false, schema: c.spec.versions[0].schema });
  assert.deepEqual(customResourceInfos(c), []);
  c.status = { conditions: [{ type: 'Established', status: 'True' }] };
  const infos = customResourceInfos(c);
  assert.deepEqual(infos.map((i) => [i.resource, i.version, i.path, i.viewOf]), [['widgets.example.com', 'v1', 'widgets', undefined], ['widgets.v1beta1.example.com', 'v1beta1', 'widgets', 'widgets.example.com']]);
  assert.deepEqual(['v1alpha1', 'v2', 'v1beta2', 'v1', 'foo', 'v1beta1'].sort(compareKubeVersions), ['v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'foo']);
});

test('decoding a custom object: wrong shapes are 400s, unknown fields follow fieldValidation', () => {
  const c = crd();
  c.status = { conditions: [{ type: 'Established', status: 'True' }] };
  const info = customResourceInfos(c)[0]!;
  assert.throws(() => decodeCustomObject(info, []), /cannot be handled as a Widget/);
  assert.throws(() => decodeCustomObject(info, { kind: 1 }), (e: any) => e.code === 400);
  assert.throws(() => decodeCustomObject(info, { metadata: { name: 1 } }), (e: any) => e.code === 400);
  assert.deepEqual(decodeCustomObject(info, { spec: { a: 'x', b: 1 } }).warnings, ['unknown field "spec.b"']);
  assert.deepEqual(decodeCustomObject(info, { spec: { a: 'x', b: 1 } }, { fieldValidation: 'Ignore' }).warnings, []);
  assert.throws(() => decodeCustomObject(info, { spec: { b: 1 } }, { fieldValidation: 'Strict' }), /Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.b"/);
});
