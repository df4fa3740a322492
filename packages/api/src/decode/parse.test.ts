import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonText, parseYamlText, scanJson, MAX_DEPTH } from './index.js';
import { checkYamlDepth } from './parse.js';
import { parseApplyConfiguration } from '../patch/apply.js';
import { PatchError } from '../errors.js';

test('scanJson finds duplicate keys with their paths, ignoring look-alikes inside strings', () => {
  const text = '{"metadata":{"name":"a","name":"b","labels":{"x":"1"}},"spec":{"containers":[{"name":"c"},{"name":"d","image":"i","image":"j"}]},"data":{"k":"\\"name\\":"}}';
  assert.deepEqual(scanJson(text).duplicates, ['metadata.name', 'spec.containers[1].image']);
  assert.deepEqual(scanJson('{"a":"x\\"y","b":["a","a"],"c":{"a":1}}').duplicates, []);
  assert.deepEqual(scanJson('{"\\u0061":1,"a":2}').duplicates, ['a'], 'escaped keys compare by their value');
  const many = `{${Array.from({ length: 40 }, (_, i) => `"k${i}":1`).join(',')},"k7":2}`;
  assert.deepEqual(scanJson(many).duplicates, ['k7']);
});

test('JSON nested 10,000 deep is refused before parsing, at any depth past MAX_DEPTH', () => {
  for (const open of ['[', '{"a":']) {
    const deep = open.repeat(10_000) + (open === '[' ? ']' : '1}').repeat(10_000);
    assert.throws(() => parseJsonText(deep), /exceeded max depth/);
  }
  const ok = '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
  assert.doesNotThrow(() => parseJsonText(ok));
  assert.throws(() => parseJsonText('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1)), /exceeded max depth/);
});

test('parseJsonText: the value JSON.parse gives (last duplicate wins), syntax errors thrown', () => {
  const r = parseJsonText('{"a":1,"a":2}');
  assert.deepEqual(r.value, { a: 2 });
  assert.deepEqual(r.duplicates, ['a']);
  assert.throws(() => parseJsonText('{"a":'), SyntaxError);
});

test('parseYamlText reports duplicate keys (last wins) and refuses deep nesting', () => {
  const r = parseYamlText('metadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: c\n    name: d\n');
  assert.deepEqual(r.value, { metadata: { name: 'b' }, spec: { containers: [{ name: 'd' }] } });
  assert.deepEqual(r.duplicates, ['metadata.name', 'spec.containers[0].name']);
  assert.throws(() => parseYamlText('a: ' + '['.repeat(300) + ']'.repeat(300)), /exceeded max depth/);
  assert.throws(() => parseYamlText('a: [1'));
});

test('YAML nested thousands deep is refused before the yaml library recurses into it (flow, block, compact), as are apply bodies', () => {
  // The yaml composer recursed once per level and ran the stack out (aborting the process when
  // that happened inside V8's regexp compiler); refused up front, the message says why.
  const deep = [
    'a: ' + '['.repeat(20_000) + ']'.repeat(20_000),
    '{"k":'.repeat(20_000) + '1' + '}'.repeat(20_000),
    '- '.repeat(5_000) + '1',
    Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1',
  ];
  for (const text of deep) {
    assert.throws(() => parseYamlText(text), /^SyntaxError: exceeded max depth$/);
    assert.throws(() => parseApplyConfiguration(text), (e: Error) => e instanceof PatchError && e.message === 'error decoding YAML: exceeded max depth');
  }
  const ok = 'a: ' + '['.repeat(MAX_DEPTH - 1) + ']'.repeat(MAX_DEPTH - 1);
  assert.doesNotThrow(() => parseYamlText(ok));
  assert.doesNotThrow(() => checkYamlDepth('- '.repeat(MAX_DEPTH) + '1'));
});

test('parseJsonText reports the same duplicates as scanJson, through its key count or without it', () => {
  const bodies = [
    '{"metadata":{"name":"a","name":"b"}}',
    '{"a":{"x":1},"b":{"x":1,"y":[{"x":1},{"x":2,"x":3}]}}',
    '{"\\u0061":1,"a":2}',
    '{"__proto__":1,"__proto__":2}',
    '{"__proto__":{"a":1},"b":2}',
    '{"k":"a\\":b","k2":"\\\\","k3":{"":1,"":2}}',
    '[{"a":1},{"a":1},[],{}]',
    '{ "a" : 1 , "b" :\n{ "a" : 2 } }',
    '"just a string"',
    '{"a":[1,2,{"b":null,"c":"d"}],"e":{}}',
  ];
  for (const b of bodies) {
    const r = parseJsonText(b);
    assert.deepEqual(r.duplicates, scanJson(b).duplicates, b);
    assert.deepEqual(r.value, JSON.parse(b), b);
  }
});
