import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromObject, parseLabelSelector, selectorToString, NOTHING } from './labels.js';
import { SelectorError } from '../errors.js';

test('equality, inequality and set operators', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a==b', { a: 'b' }, true],
    ['a!=b', { a: 'c' }, true],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a in (x,y)', { a: 'y' }, true],
    ['a in (x,y)', { a: 'z' }, false],
    ['a in (x,y)', {}, false],
    ['a notin (x,y)', { a: 'z' }, true],
    ['a notin (x,y)', {}, true],
    ['a notin (x,y)', { a: 'x' }, false],
    ['a', { a: '' }, true],
    ['a', {}, false],
    ['!a', {}, true],
    ['!a', { a: 'x' }, false],
    ['a=b,c=d', { a: 'b', c: 'd' }, true],
    ['a=b,c=d', { a: 'b' }, false],
    [' app = web , tier in ( fe , be ) ', { app: 'web', tier: 'be' }, true],
    ['a=', { a: '' }, true],
    ['a=', { a: 'x' }, false],
    ['a in ()', { a: '' }, true],
    ['a in (,x)', { a: '' }, true],
    ['a notin ()', { a: 'x' }, true],
    ['example.com/role=db', { 'example.com/role': 'db' }, true],
    ['n>5', { n: '7' }, true],
    ['n<5', { n: '7' }, false],
  ];
  for (const [sel, labels, want] of cases) assert.equal(parseLabelSelector(sel).matches(labels), want, `${sel} on ${JSON.stringify(labels)}`);
});

test('empty selector selects everything', () => {
  const m = parseLabelSelector('');
  assert.equal(m.empty, true);
  assert.equal(m.matches(undefined), true);
  assert.equal(parseLabelSelector('a=b').empty, false);
});

test('canonical string: sorted by key, values sorted', () => {
  assert.equal(parseLabelSelector('z=1,a in (y,x),!m').toString(), 'a in (x,y),!m,z=1');
});

test('parse errors are SelectorErrors with Kubernetes wording', () => {
  const bad: [string, RegExp][] = [
    ['a in b', /unable to parse requirement: found 'b', expected: '\('/],
    ['a=b,', /expected: identifier after ','/],
    ['a b', /^unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt$/],
    ['a in (x y)', /found 'y', expected: ',' or '\)'/],
    ['app:monolith', /^unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters/],
    ['a=b!', /./],
    ['a=b c', /./],
    ['a=bad!', /./],
    ['a=-x', /^unable to parse requirement: values\[0\]: Invalid value: "-x": a valid label must be an empty string/],
    ['k=' + 'x'.repeat(64), /must be no more than 63 characters/],
    ['a/b/c=d', /qualified name/],
    [',a', /expected: !, identifier, or 'end of string'/],
  ];
  for (const [s, re] of bad) assert.throws(() => parseLabelSelector(s), (e: unknown) => e instanceof SelectorError && re.test(e.message), s);
});

test('LabelSelector objects: matchLabels and matchExpressions', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'track', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  };
  const m = labelSelectorFromObject(sel);
  assert.equal(m.matches({ app: 'web', tier: 'fe', track: 's' }), true);
  assert.equal(m.matches({ app: 'web', tier: 'fe', track: 's', canary: 'y' }), false);
  assert.equal(m.matches({ app: 'web', tier: 'fe', track: 's', env: 'prod' }), false);
  assert.equal(m.matches({ app: 'web', tier: 'fe' }), false);
  assert.equal(selectorToString(sel), 'app=web,!canary,env notin (prod),tier in (be,fe),track');
  // The string form parses back to the same selector.
  assert.equal(parseLabelSelector(selectorToString(sel)).toString(), selectorToString(sel));
});

test('absent selector selects nothing, {} everything; bad operator throws', () => {
  assert.equal(labelSelectorFromObject(undefined), NOTHING);
  assert.equal(labelSelectorFromObject(undefined).matches({ a: 'b' }), false);
  assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
  assert.equal(labelSelectorFromObject({}).empty, true);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), SelectorError);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), SelectorError);
});
