// Fuzzing the apiserver's REST face over a real etcd (issue 12): random mutations of valid
// Pod, Deployment, Service, ConfigMap and Job bodies, and of a custom kind (a CRD's), (wrong types, nulls, deep nesting,
// huge numbers, unknown and duplicate fields, unicode, broken JSON; protobuf bodies of junk;
// garbage query parameters) sent as creates, updates, every patch type and status writes. Every answer must be a 2xx, or a 4xx with a
// metav1.Status body; never a 5xx; the server must keep serving (lists, Tables, selected
// lists); and afterwards every value under /registry/ must be JSON of a valid object.
//   K8TS_FUZZ_REQUESTS  requests to send (default 3000; 100000 for a long run)
//   K8TS_FUZZ_SEED      the PRNG seed (default 12); a failure prints the seed and the request
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { findResource, validate } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { createLogger } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { storableErrors } from '../../packages/apiserver/src/storage/storable.js';
import { Rng, type Mutation } from './fuzz-mutations.js';
import { FUZZ_CRD, KINDS, fuzzRequest, type Sent } from './fuzz-requests.js';
import { until } from '../support/until.js';

const REQUESTS = Number(process.env.K8TS_FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.K8TS_FUZZ_SEED ?? 12);
const PARALLEL = 4;

describe('apiserver REST fuzzing', { timeout: 30 * 60_000 }, () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let raw: Etcd3;
  let base: string;
  const codes = new Map<number, number>();
  const byClass = new Map<string, Map<number, number>>();
  const bad: { sent: Sent; status: number; text: string }[] = [];

  before(async () => {
    etcd = await startEtcd();
    // Thousands of refused requests: only the server's errors are worth printing.
    const logger = createLogger('apiserver-fuzz');
    logger.level = process.env.K8TS_LOG_LEVEL ?? 'error';
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, logger });
    base = `http://127.0.0.1:${api.restPort}`;
    raw = new Etcd3({ hosts: etcd.url });
    const crd = await fetch(`${base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FUZZ_CRD) });
    assert.equal(crd.status, 201, await crd.text());
    await until('the fuzz CRD is served', async () => (await fetch(`${base}/apis/fuzz.k8ts.io/v1`)).status === 200);
  });

  after(async () => {
    raw?.close();
    await api?.stop();
    await etcd?.stop();
  });

  async function send(s: Sent): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}${s.url}`, { method: s.method, headers: { 'content-type': s.contentType, accept: s.accept ?? 'application/json' }, body: s.body });
    return { status: res.status, text: await res.text() };
  }

  function count(s: Sent, status: number): void {
    codes.set(status, (codes.get(status) ?? 0) + 1);
    const classes = s.mutations.length ? s.mutations.map((m) => m.kind) : ['valid'];
    for (const c of new Set(classes)) {
      const key = `${s.op} ${c}`;
      const m = byClass.get(key) ?? new Map<number, number>();
      m.set(status, (m.get(status) ?? 0) + 1);
      byClass.set(key, m);
    }
  }

  it(`answers ${REQUESTS} mutated requests (seed ${SEED}) with 2xx or a 4xx Status, never a 5xx`, async () => {
    // Valid targets first, so updates and patches have something to change.
    for (const kind of KINDS) {
      for (let t = 0; t < 4; t++) {
        const res = await fetch(`${base}${kind.path('default')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(kind.body(`t${t}`)) });
        assert.equal(res.status, 201, `${kind.resource} t${t}: ${await res.text()}`);
      }
    }
    const rng = new Rng(SEED);
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= REQUESTS) return;
        const s = fuzzRequest(rng, i);
        const { status, text } = await send(s);
        count(s, status);
        let ok = status >= 200 && status < 300;
        if (status >= 400 && status < 500) {
          try {
            const st = JSON.parse(text);
            ok = st.kind === 'Status' && st.apiVersion === 'v1' && st.status === 'Failure' && st.code === status && typeof st.message === 'string';
          } catch {
            ok = false;
          }
        }
        if (!ok) bad.push({ sent: s, status, text: text.slice(0, 400) });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s, seed ${SEED}; answers by status: ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => a[0] - b[0])))}`);
    const failingClasses = [...byClass].filter(([, m]) => [...m.keys()].some((c) => c >= 500)).map(([k, m]) => `${k}: ${JSON.stringify(Object.fromEntries(m))}`);
    if (failingClasses.length) console.log(`fuzz: classes with 5xx answers:\n  ${failingClasses.join('\n  ')}`);
    for (const b of bad.slice(0, 10)) console.log(`fuzz: ${b.status} for ${b.sent.method} ${b.sent.url} (${b.sent.op}; ${b.sent.mutations.map((m) => `${m.kind} at ${m.path}`).join(', ')}): ${b.text}\n  body: ${typeof b.sent.body === 'string' ? b.sent.body.slice(0, 300) : b.sent.body.toString('base64').slice(0, 300)}`);
    assert.equal(bad.length, 0, `${bad.length} answers were 5xx or a 4xx without a Status (seed ${SEED})`);
  });

  it('still serves every list, as objects, Tables and selected, after the fuzzing', async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const lists = [...KINDS.map((k) => k.path('default')), '/api/v1/pods', '/api/v1/services', '/apis/apps/v1/deployments', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1', '/api/v1/pods?fieldSelector=status.podIPs%3D10.0.0.1', '/api/v1/pods?labelSelector=app%3Df'];
    for (const l of lists) {
      for (const accept of ['application/json', table]) {
        const res = await fetch(`${base}${l}`, { headers: { accept } });
        assert.equal(res.status, 200, `${l} (${accept}): ${await res.text()}`);
      }
    }
  });

  it('left only JSON of valid objects under /registry/', async () => {
    const all = await raw.getAll().prefix('/registry/').buffers();
    const problems: string[] = [];
    for (const [key, value] of Object.entries(all)) {
      let obj: any;
      try {
        obj = JSON.parse(value.toString('utf8'));
      } catch (err) {
        problems.push(`${key}: not JSON (${(err as Error).message})`);
        continue;
      }
      const resource = key.split('/')[2]!;
      if (resource === 'ranges' || !findResource(resource)) continue;
      const envelope = storableErrors(key, obj);
      if (envelope.length) problems.push(`${key}: ${envelope.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      else {
        const errs = validate(resource, obj);
        if (errs.length) problems.push(`${key}: invalid: ${errs.map((e) => `${e.field}: ${e.message}`).join('; ').slice(0, 300)}`);
      }
    }
    console.log(`fuzz: ${Object.keys(all).length} values under /registry/, ${problems.length} problems`);
    for (const p of problems.slice(0, 20)) console.log(`fuzz: ${p}`);
    assert.deepEqual(problems, []);
  });
});
