import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/client';
import { parseRoute } from '../rest/route.js';
import { isLongRunning } from './long-running.js';
import { requestAttributes } from '../rest/authorize.js';
import { ANONYMOUS } from '../authz/request-attributes.js';
import { RequestLimiter } from './limiter.js';
import { holdSeat, withSeat } from './seat.js';

const user = { name: 'u', uid: 'u', groups: ['system:authenticated'] };
const q = (s = '') => new URLSearchParams(s);

test('one long-running check, as kube-apiserver\'s BasicLongRunningRequestCheck: watches, logs (followed or not), exec, attach, port-forward, proxy', () => {
  const lr = (method: string, path: string, query = '') => isLongRunning(requestAttributes(ANONYMOUS, method, path, parseRoute(path), q(query)));
  assert.equal(lr('GET', '/api/v1/namespaces/a/pods', 'watch=true'), true);
  assert.equal(lr('GET', '/api/v1/watch/namespaces/a/pods'), true);
  assert.equal(lr('GET', '/api/v1/namespaces/a/pods/p/log', 'follow=true'), true);
  assert.equal(lr('GET', '/api/v1/namespaces/a/pods/p/log'), true, 'a plain log read holds no seat, as upstream');
  for (const sub of ['exec', 'attach', 'portforward', 'proxy']) assert.equal(lr('POST', `/api/v1/namespaces/a/pods/p/${sub}`), true, sub);
  assert.equal(lr('GET', '/api/v1/namespaces/a/pods'), false);
  assert.equal(lr('GET', '/api/v1/namespaces/a/pods/p/status'), false);
  assert.equal(lr('POST', '/api/v1/namespaces/a/pods', 'watch=true'), false, 'a create is not a watch');
  assert.equal(lr('GET', '/metrics'), false);
  assert.equal(lr('GET', '/debug/pprof/profile'), true, 'the profiler, as upstream');
  assert.equal(isLongRunning({ verb: 'get', resourceRequest: false, subresource: '', path: '/log' }), false, 'subresources count on resource requests only');
});

test('withSeat holds a seat for the call and returns it, on success and on failure', async () => {
  const l = new RequestLimiter({ totalSeats: 21 }); // global-default: 2 seats
  const level = l.levels.get('global-default')!;
  let inside = 0;
  await withSeat(l, user, 'pods', async () => {
    inside = level.inflight;
  });
  assert.equal(inside, 1);
  assert.equal(level.inflight, 0);
  await assert.rejects(withSeat(l, user, 'pods', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(level.inflight, 0);
  assert.equal(await withSeat(undefined, user, 'pods', async () => 7), 7);
});

test('a full level refuses with 429; a seat granted after the client left goes straight back', async () => {
  const l = new RequestLimiter({ totalSeats: 21 });
  const level = l.levels.get('global-default')!;
  const held: (() => void)[] = [];
  for (let i = 0; i < level.config.seats; i++) assert.equal(await holdSeat(l, user, 'pods', (r) => held.push(r), () => false), true);
  let gone = false;
  const queued = holdSeat(l, user, 'pods', () => assert.fail('a departed client kept a seat'), () => gone);
  for (let i = 1; i < level.config.queueLength; i++) void holdSeat(l, user, 'pods', (r) => held.push(r), () => false);
  await assert.rejects(holdSeat(l, user, 'pods', () => {}, () => false), (e: unknown) => e instanceof ApiError && e.code === 429);
  gone = true;
  held.shift()!();
  assert.equal(await queued, false);
  // Each release hands the seat to the next waiter, which takes it a tick later.
  for (let i = 0; i < 50 && (held.length || level.queued); i++) {
    while (held.length) held.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(level.queued, 0);
  assert.equal(level.inflight, 0);
});
