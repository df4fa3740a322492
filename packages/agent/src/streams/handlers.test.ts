import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/api';
import { pickInstance } from './handlers.js';
import type { ObservedContainer } from '../runtime/container-runtime.js';

test('pickInstance: newest, or the one before for --previous', () => {
  const c = (id: string, restartCount: number, running: boolean) => ({ id, kind: 'app', name: 'c', restartCount, running, state: running ? 'running' : 'exited' }) as ObservedContainer;
  const all = [c('a', 0, false), c('b', 1, true), { ...c('s', 0, true), kind: 'sandbox', name: 'POD' } as ObservedContainer];
  assert.equal(pickInstance(all, 'p', 'c', false).id, 'b');
  assert.equal(pickInstance(all, 'p', 'c', true).id, 'a');
  assert.throws(() => pickInstance([c('a', 0, true)], 'p', 'c', true), (e: Error) => e instanceof ApiError && e.code === 400 && /previous terminated container "c" in pod "p" not found/.test(e.message));
  assert.throws(() => pickInstance([], 'p', 'c', false), /waiting to start/);
});
