import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuToNano, memoryToBytes } from './quantity.js';
import { effectivePullPolicy, normalizeImage } from './images.js';

test('cpu and memory limits to Docker units', () => {
  assert.equal(cpuToNano('500m'), 500_000_000);
  assert.equal(cpuToNano('2'), 2_000_000_000);
  assert.equal(cpuToNano(0.25), 250_000_000);
  assert.equal(memoryToBytes('128Mi'), 128 * 1024 * 1024);
  assert.equal(memoryToBytes('1G'), 1e9);
  assert.equal(memoryToBytes(undefined), undefined);
  assert.equal(cpuToNano(''), undefined);
  // parsed by @k8ts/api as the apiserver validates: exponents and sub-unit suffixes exact,
  // and what Kubernetes refuses ("K", junk, spaces) throws instead of becoming NaN
  assert.equal(memoryToBytes('1e3'), 1000);
  assert.equal(cpuToNano('100m'), 100_000_000);
  assert.throws(() => memoryToBytes('12xyz'));
  assert.throws(() => memoryToBytes('1K'));
  assert.throws(() => cpuToNano('1.2.3'));
});

test('pull policy defaults as Kubernetes sets them', () => {
  assert.equal(effectivePullPolicy('busybox'), 'Always');
  assert.equal(effectivePullPolicy('busybox:latest'), 'Always');
  assert.equal(effectivePullPolicy('k8ts/busybox:1.36'), 'IfNotPresent');
  assert.equal(effectivePullPolicy('localhost:5000/x'), 'Always');
  assert.equal(effectivePullPolicy('localhost:5000/x:1'), 'IfNotPresent');
  assert.equal(effectivePullPolicy('x:latest', 'Never'), 'Never');
  assert.equal(normalizeImage('localhost:5000/x'), 'localhost:5000/x:latest');
  assert.equal(normalizeImage('a/b:1'), 'a/b:1');
});
