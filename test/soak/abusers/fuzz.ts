// Fuzzed writes: the fuzz test's requests (test/integration/fuzz-requests.ts: mutated Pods,
// Deployments, Services, ConfigMaps and Jobs as creates, updates, every patch type, status
// and scale writes, junk protobuf) sent by the admin into a namespace of their own. Create
// names come from a small pool, and every 30 s the namespace's workloads are deleted, so
// the pods the valid ones make stay few.
import type { Abuse } from './context.js';
import { outcome } from '../http.js';
import { KINDS, fuzzRequest, type FuzzPlace } from '../../integration/fuzz-requests.js';

const WORKERS = 4;
const CLEAN_EVERY_MS = 30_000;

async function targets(a: Abuse, ns: string): Promise<void> {
  for (const kind of KINDS) {
    for (let t = 0; t < 4; t++) await a.admin.request('POST', kind.path(ns), { body: JSON.stringify(kind.body(`t${t}`)) }).catch(() => undefined);
  }
}

async function clean(a: Abuse, ns: string): Promise<void> {
  const paths = [`/api/v1/namespaces/${ns}/pods`, `/apis/apps/v1/namespaces/${ns}/deployments`, `/apis/apps/v1/namespaces/${ns}/replicasets`, `/apis/batch/v1/namespaces/${ns}/jobs`];
  for (const p of paths) {
    const ans = await a.admin.request('DELETE', `${p}?propagationPolicy=Background`).catch(() => undefined);
    if (ans) a.tally.note('fuzz', `cleanup ${ans.status}`);
  }
  const svcs = await a.admin.json<{ items: { metadata: { name: string } }[] }>('GET', `/api/v1/namespaces/${ns}/services`).catch(() => ({ items: [] }));
  for (const s of svcs.items) await a.admin.request('DELETE', `/api/v1/namespaces/${ns}/services/${encodeURIComponent(s.metadata.name)}`).catch(() => undefined);
}

export async function fuzz(a: Abuse): Promise<void> {
  const ns = a.config.fuzzNamespace;
  const place: FuzzPlace = { namespace: ns, oddNamespaces: ['', 'nope', 'ü', 'a/b', `${ns}-absent`], createName: (i) => `c${i % 8}` };
  await targets(a, ns);
  let next = 0;
  const worker = async () => {
    while (a.running()) {
      const s = fuzzRequest(a.rng, next++, place);
      try {
        const ans = await a.admin.request(s.method, s.url, { body: s.body, contentType: s.contentType, accept: s.accept });
        a.tally.add('fuzz', ans.status);
        if (ans.status >= 500) a.tally.sample('fuzz', `${ans.status} ${s.method} ${s.url} (${s.op}; ${s.mutations.map((m) => `${m.kind} at ${m.path}`).join(', ')}): ${ans.body}`);
      } catch (e) {
        a.tally.add('fuzz', outcome(e));
      }
    }
  };
  const cleaner = async () => {
    while (a.running()) {
      await a.sleep(CLEAN_EVERY_MS);
      if (!a.running()) return;
      a.tally.event('fuzz', 'namespace cleaned');
      await clean(a, ns);
      await targets(a, ns);
    }
  };
  await Promise.all([...Array.from({ length: WORKERS }, worker), cleaner()]);
}
