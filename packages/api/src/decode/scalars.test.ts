import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalarProblem, timeProblem } from './scalars.js';

const ok = (kind: Parameters<typeof scalarProblem>[0], v: unknown) => assert.equal(scalarProblem(kind, v), undefined, `${kind} ${JSON.stringify(v)}`);
const wrong = (kind: Parameters<typeof scalarProblem>[0], v: unknown) => assert.notEqual(scalarProblem(kind, v), undefined, `${kind} ${JSON.stringify(v)}`);

test('every scalar kind accepts what Go accepts and nothing else', () => {
  ok('string', '');
  wrong('string', 1);
  ok('bool', false);
  wrong('bool', 'true');
  wrong('bool', 0);
  ok('int32', -(2 ** 31));
  wrong('int32', -(2 ** 31) - 1);
  wrong('int32', '1');
  ok('int64', Number.MAX_SAFE_INTEGER);
  wrong('int64', 2 ** 63);
  wrong('int64', 1e308);
  wrong('int64', 0.5);
  ok('double', 1e308);
  ok('double', 0.25);
  wrong('double', Infinity);
  wrong('double', '1');
  ok('bytes', '');
  ok('bytes', 'aGk=\n');
  wrong('bytes', 'aGk');
  ok('duration', '1h30m');
  ok('duration', '0');
  ok('duration', '-1.5s');
  wrong('duration', '90');
  wrong('duration', 90);
  ok('time', '2026-02-28T23:59:59Z');
  wrong('time', '2026-02-29T00:00:00Z');
  wrong('time', '2026-01-01 00:00:00Z');
  ok('microTime', '2026-01-01T00:00:00.000001+05:30');
  ok('quantity', '1.5Gi');
  ok('quantity', 2);
  wrong('quantity', '1.5 Gi');
  wrong('quantity', {});
  ok('intOrString', '25%');
  ok('intOrString', 8080);
  wrong('intOrString', 2 ** 31);
  wrong('intOrString', []);
  ok('rawExtension', [1, 'x']);
  ok('fieldsV1', {});
  wrong('fieldsV1', []);
});

test('time errors in Go words', () => {
  assert.equal(timeProblem('x'), 'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"');
  assert.equal(timeProblem('2026-01-01T24:00:00Z'), 'parsing time "2026-01-01T24:00:00Z": hour out of range');
});
