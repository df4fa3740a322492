import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuMillis, formatQuantity, normalizeQuantity, parseQuantity, quantityValue } from './quantity.js';
import { QuantityError } from './errors.js';

test('parses the suffixes Kubernetes accepts', () => {
  const cases: [string | number, number][] = [
    ['100m', 0.1],
    ['0.5', 0.5],
    ['1', 1],
    ['64Mi', 64 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['500k', 500000],
    ['2Ki', 2048],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['250u', 0.00025],
    ['+3', 3],
    ['.5', 0.5],
    [2, 2],
  ];
  for (const [q, v] of cases) assert.ok(Math.abs(parseQuantity(q) - v) < 1e-12, `${q} -> ${parseQuantity(q)} want ${v}`);
});

test('invalid quantities throw', () => {
  for (const q of ['', 'abc', '1KiB', '1 Gi', 'Mi', '1.2.3', '1e', '10mm', ' 1']) assert.throws(() => parseQuantity(q), QuantityError, q);
  assert.throws(() => parseQuantity(NaN), QuantityError);
});

test('cpuMillis rounds up like MilliValue; quantityValue like Value', () => {
  assert.equal(cpuMillis('100m'), 100);
  assert.equal(cpuMillis('0.5'), 500);
  assert.equal(cpuMillis('2'), 2000);
  assert.equal(cpuMillis('0.0001'), 1);
  assert.equal(cpuMillis(undefined), 0);
  assert.equal(quantityValue('64Mi'), 67108864);
  assert.equal(quantityValue('1500m'), 2);
});

test('formatting', () => {
  assert.equal(formatQuantity(0.1, 'cpu'), '100m');
  assert.equal(formatQuantity(2, 'cpu'), '2');
  assert.equal(formatQuantity(67108864, 'binary'), '64Mi');
  assert.equal(formatQuantity(1000, 'binary'), '1000');
  assert.equal(formatQuantity(5e6), '5M');
  assert.equal(formatQuantity(0), '0');
  assert.equal(normalizeQuantity('0.25', 'cpu'), '250m');
  assert.equal(normalizeQuantity('1024Ki', 'binary'), '1Mi');
});
