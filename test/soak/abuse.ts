// The soak test, on demand (issue 14):
//   node --import tsx test/soak/abuse.ts [--minutes 10] [--seed N] [--agents 3] [--kinds flood,fuzz,…]
//   pnpm soak -- --minutes 2
// brings up a `k8ts up` cluster of its own, runs a workload behind a Service, abuses the
// apiserver for the given minutes (REST floods, big and slow bodies, fuzzed writes, watch
// storms) while watching that no component exits, no node turns NotReady, no Lease is lost
// and the Service keeps answering; prints a summary and exits 1 when an invariant broke.
// `k8ts down --purge` runs at the end, on failure and on Ctrl-C too.
import { parseArgs } from 'node:util';
import { runSoak } from './run.js';
import { formatSummary } from './summary.js';
import { ABUSE_KINDS, type AbuseKind } from './tally.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    agents: { type: 'string', default: '3' },
    replicas: { type: 'string', default: '3' },
    'flood-workers': { type: 'string', default: '120' },
    kinds: { type: 'string', default: ABUSE_KINDS.join(',') },
    json: { type: 'string' },
  },
});
const kinds = values.kinds!.split(',') as AbuseKind[];
for (const k of kinds) if (!ABUSE_KINDS.includes(k)) throw new Error(`unknown abuse kind ${k}; the kinds are ${ABUSE_KINDS.join(', ')}`);

const ac = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  console.error('interrupted: stopping the abuse and taking the cluster down');
  ac.abort();
});
process.on('SIGTERM', () => ac.abort());

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
try {
  const r = await runSoak({
    seconds: Number(values.minutes) * 60,
    seed: Number(values.seed),
    kinds,
    agents: Number(values.agents),
    replicas: Number(values.replicas),
    floodWorkers: Number(values['flood-workers']),
    prefix: 'soak',
    signal: ac.signal,
    log,
  });
  console.log(`\n${formatSummary(r)}`);
  if (values.json) (await import('node:fs')).writeFileSync(values.json, JSON.stringify(r, null, 2));
  process.exit(interrupted ? 130 : r.broken.length ? 1 : 0);
} catch (e) {
  console.error(`soak failed: ${(e as Error).stack ?? e}`);
  process.exit(interrupted ? 130 : 2);
}
