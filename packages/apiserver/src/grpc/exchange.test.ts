// The server side of Objects.Exchange over stand-in handlers: requests run concurrently up to
// MAX_IN_FLIGHT_PER_STREAM and no further (the stream is not read beyond it), each is counted
// in the request metrics by verb and resource and logged on a 5xx as a unary call is (node
// lease renewals too), a client that goes away cancels nothing already read, and drain()
// answers what was read, then ends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '@k8ts/client';
import { loadK8tsProto } from './proto.js';
import { ExchangeStreams, MAX_IN_FLIGHT_PER_STREAM, type ExchangeHandlers } from './exchange.js';
import type { GrpcContext } from './context.js';
import { notFound } from '../registry/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const observed: { verb: string; resource: string; code: number }[] = [];
const logged: unknown[] = [];
let started = 0;
let finished = 0;
let gate: { promise: Promise<void>; open(): void } = opened();
function opened() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  open();
  return { promise, open };
}
function closedGate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const handler = (verb: string) => async (req: any) => {
  started++;
  await gate.promise;
  finished++;
  if (req.name === 'missing') throw notFound(req.resource, req.name);
  if (req.name === 'boom') throw new Error('etcd exploded');
  return { json: JSON.stringify({ verb, name: req.name }) };
};
const handlers: ExchangeHandlers = {
  get: handler('get'),
  create: handler('create'),
  update: handler('update'),
  patch: handler('patch'),
  delete: handler('delete'),
  renewlease: async (req: any) => ({ renew_time: `renewed ${req.node_name}` }),
};

const ctx: GrpcContext = {
  registry: undefined as never,
  authenticate: async (c) => {
    if (c.authorization !== 'Bearer good') throw new ApiError(401, 'Unauthorized', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    return { name: 'u', groups: [] };
  },
  metrics: { observeRequest: (verb: string, resource: string, code: number) => void observed.push({ verb, resource, code }) } as never,
  logger: { error: (o: unknown) => void logged.push(o) } as never,
};

const proto = loadK8tsProto();
const exchanges = new ExchangeStreams(ctx);
const server = new grpc.Server();
server.addService(proto.Objects.service, { Exchange: (call: grpc.ServerDuplexStream<any, any>) => exchanges.serve(call, handlers) });
const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
const client = new proto.Objects(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as any;
after(() => {
  client.close();
  server.forceShutdown();
});

function open(token = 'good') {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  const call = client.Exchange(md);
  const replies: any[] = [];
  call.on('data', (r: any) => replies.push(r));
  call.on('error', () => undefined);
  const status: Promise<grpc.StatusObject> = new Promise((r) => call.on('status', r));
  return { call, replies, status };
}

test('requests run concurrently, at most MAX_IN_FLIGHT_PER_STREAM at once; every one is answered', async () => {
  gate = closedGate();
  started = finished = 0;
  const { call, replies, status } = open();
  const n = MAX_IN_FLIGHT_PER_STREAM * 3;
  for (let i = 0; i < n; i++) call.write({ id: i + 1, get: { resource: 'pods', namespace: 'a', name: `p${i}` } });
  call.end();
  await until(() => started === MAX_IN_FLIGHT_PER_STREAM);
  await sleep(200);
  assert.equal(started, MAX_IN_FLIGHT_PER_STREAM, 'no request beyond the limit was started');
  assert.equal(replies.length, 0);
  gate.open();
  assert.equal((await status).code, grpc.status.OK);
  assert.equal(replies.length, n);
  assert.deepEqual(new Set(replies.map((r) => r.id)).size, n);
  for (const r of replies) assert.equal(JSON.parse(r.reply.json).name, `p${r.id - 1}`);
});

test('metrics by verb and resource as unary calls count them; a 5xx is logged; errors carry the Status', async () => {
  observed.length = 0;
  logged.length = 0;
  const { call, replies, status } = open();
  call.write({ id: 1, create: { resource: 'configmaps', namespace: 'a', json: '{}', name: 'ok' } });
  call.write({ id: 2, get: { resource: 'pods', namespace: 'a', name: 'missing' } });
  call.write({ id: 3, patch: { resource: 'nodes', name: 'boom' } });
  call.write({ id: 4 });
  call.write({ id: 5, renew_lease: { node_name: 'n1', lease_duration_seconds: 40 } });
  call.end();
  await status;
  const byId = new Map(replies.map((r) => [r.id, r]));
  assert.equal(JSON.parse(byId.get(1).reply.json).verb, 'create');
  assert.equal(byId.get(2).error.code, grpc.status.NOT_FOUND);
  assert.deepEqual(JSON.parse(byId.get(2).error.status_json), JSON.parse(JSON.stringify(notFound('pods', 'missing').status)));
  assert.equal(byId.get(3).error.code, grpc.status.INTERNAL);
  assert.equal(JSON.parse(byId.get(3).error.status_json).code, 500);
  assert.equal(byId.get(4).error.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(byId.get(5).result, 'renewed');
  assert.equal(byId.get(5).renewed.renew_time, 'renewed n1');
  assert.deepEqual(
    observed.sort((a, b) => a.verb.localeCompare(b.verb)),
    [
      { verb: 'create', resource: 'configmaps', code: 200 },
      { verb: 'get', resource: 'pods', code: 404 },
      { verb: 'patch', resource: 'nodes', code: 500 },
      { verb: 'renewlease', resource: '', code: 200 },
    ],
  );
  assert.equal(logged.length, 1, 'the 500 is logged, the 404 is not');
});

test('a stream without the right token ends UNAUTHENTICATED with the Status; nothing runs', async () => {
  started = 0;
  const { call, replies, status } = open('bad');
  call.write({ id: 1, get: { resource: 'pods', namespace: 'a', name: 'x' } });
  const st = await status;
  assert.equal(st.code, grpc.status.UNAUTHENTICATED);
  assert.equal(JSON.parse(String(st.metadata.get('k8s-status')[0])).code, 401);
  assert.equal(replies.length, 0);
  assert.equal(started, 0);
});

test('a client that goes away cancels nothing already read', async () => {
  gate = closedGate();
  started = finished = 0;
  const { call, status } = open();
  for (let i = 0; i < 20; i++) call.write({ id: i + 1, create: { resource: 'pods', namespace: 'a', name: `c${i}`, json: '{}' } });
  await until(() => started === 20);
  call.cancel();
  await status;
  await sleep(50);
  gate.open();
  await until(() => finished === 20);
});

test('drain() lets a stream answer what it read, then ends it; new streams are refused with 503', async () => {
  gate = closedGate();
  started = 0;
  const { call, replies, status } = open();
  for (let i = 0; i < 5; i++) call.write({ id: i + 1, get: { resource: 'pods', namespace: 'a', name: `d${i}` } });
  await until(() => started === 5);
  const drained = exchanges.drain();
  gate.open();
  await drained;
  assert.equal((await status).code, grpc.status.OK);
  assert.equal(replies.length, 5);
  const late = open();
  const st = await late.status;
  assert.equal(st.code, grpc.status.UNAVAILABLE);
  assert.equal(JSON.parse(String(st.metadata.get('k8s-status')[0])).code, 503);
});
