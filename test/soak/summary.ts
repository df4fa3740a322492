// The soak's verdict and its table: requests per abuse kind with their answers, the 429s,
// the Service's longest gap, nodes gone NotReady, Leases lost or changing hands, components
// that exited, and what the apiserver and etcd cost.
import type { SoakResult } from './run.js';
import { ABUSE_KINDS, countStatus } from './tally.js';

/** A Service that went this long without an answer did not answer throughout. */
export const SERVICE_MAX_GAP_MS = 3000;

export function brokenInvariants(r: SoakResult): string[] {
  const broken: string[] = [];
  if (r.cluster.unanswered) broken.push('the apiserver did not answer at the end');
  for (const e of r.processes.exits) broken.push(`component ${e.name} (pid ${e.pid}) exited at ${(e.atMs / 1000).toFixed(1)} s`);
  for (const n of r.cluster.notReady) broken.push(`node ${n.node} ${n.why} at ${(n.atMs / 1000).toFixed(1)} s`);
  for (const x of r.cluster.expiries) broken.push(`Lease ${x.lease} not renewed for ${(x.gapMs / 1000).toFixed(1)} s (duration ${x.durationS} s)`);
  for (const h of r.cluster.holderChanges) broken.push(`Lease ${h.lease} changed hands at ${(h.atMs / 1000).toFixed(1)} s: ${h.from || '-'} → ${h.to || '-'}`);
  if (r.service.maxGapMs > SERVICE_MAX_GAP_MS) broken.push(`the Service went ${(r.service.maxGapMs / 1000).toFixed(1)} s without an answer (${r.service.failed} of ${r.service.requests} requests failed)`);
  if (r.options.kinds.includes('flood') && countStatus(r.tally, '429') === 0) broken.push('no request was refused with 429: the flood was too weak');
  const malformed = r.tally.flood.notes['429 malformed'] ?? 0;
  if (malformed) broken.push(`${malformed} 429 answers without Retry-After: 1 and a TooManyRequests Status`);
  const internal = countStatus(r.tally, '500');
  if (internal) broken.push(`${internal} answers were 500 InternalError`);
  for (const k of ABUSE_KINDS) if (r.tally[k].notes['abuser crashed']) broken.push(`the ${k} abuser crashed: ${r.tally[k].samples.at(-1)}`);
  return broken;
}

function outcomes(o: Record<string, number>): string {
  return Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
}

/** The abuse events of the 10 s before `at` (epoch ms), as `-Ns what`. */
function nearby(r: SoakResult, at: number): string[] {
  return r.events.filter(([t]) => t <= at && t > at - 10_000).map(([t, kind, what]) => `-${((at - t) / 1000).toFixed(1)} s ${kind}: ${what}`);
}

export function formatSummary(r: SoakResult): string {
  const L: string[] = [];
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  L.push(`soak: ${secs(r.abusedMs)} of ${r.options.kinds.join(', ')} (seed ${r.options.seed}, ${r.options.agents} agents, ${r.options.replicas} replicas, ${r.options.floodWorkers} flood workers per user)`);
  L.push(`machine: ${r.machine.cpus} cores, load ${r.machine.loadBefore.map((x) => x.toFixed(1)).join('/')} before, ${r.machine.loadAfter.map((x) => x.toFixed(1)).join('/')} after${r.machine.otherSuites ? '; other test suites ran meanwhile' : ''}`);
  L.push('');
  L.push(`${'abuse'.padEnd(12)} ${'requests'.padStart(8)}  answers`);
  for (const k of ABUSE_KINDS) {
    const t = r.tally[k];
    if (!t.requests && !Object.keys(t.notes).length) continue;
    L.push(`${k.padEnd(12)} ${String(t.requests).padStart(8)}  ${outcomes(t.outcomes)}`);
    if (Object.keys(t.notes).length) L.push(`${''.padEnd(22)}${outcomes(t.notes)}`);
    for (const s of t.samples.slice(0, 3)) L.push(`${''.padEnd(22)}e.g. ${s.slice(0, 200)}`);
  }
  L.push('');
  const c = r.cluster;
  const rows: [string, string][] = [
    ['429 answers', String(countStatus(r.tally, '429'))],
    ['Service', `${r.service.requests} requests, ${r.service.failed} failed, max gap ${secs(r.service.maxGapMs)}, longest failure run ${r.service.longestFailureRun}`],
    ['nodes NotReady', `${c.notReady.length} (of ${c.nodes.length} nodes)`],
    ['Leases', `${c.expiries.length} expired, ${c.holderChanges.length} changed hands (${c.leases.length} Leases, ${c.renewals} renewals; longest renewal gap: nodes ${secs(c.maxRenewGapMs.node)} (${c.maxRenewGapAt.node}), leaders ${secs(c.maxRenewGapMs.leader)} (${c.maxRenewGapAt.leader}))`],
    ['apiserver loop', `longest event-loop lag ${secs(r.lag.maxMs)}${r.lag.maxAt ? ` at ${secs(r.lag.maxAt - r.startedAt)}` : ''} (${r.lag.overOneSecond} of ${r.lag.scrapes} scrapes over 1 s)`],
    ['components', `${r.processes.exits.length} exited (of ${r.processes.watched.length}: ${r.processes.watched.join(', ')})`],
    ...Object.entries(r.processes.usage).map(([n, u]): [string, string] => [n, `max RSS ${u.maxRssMiB} MiB, CPU ${u.cpuSeconds} s (avg ${u.avgCpuPct} %, peak ${u.peakCpuPct} % of a core)`]),
  ];
  for (const [k, v] of rows) L.push(`${k.padEnd(15)} ${v}`);
  const near = nearby(r, r.startedAt + c.maxRenewGapAtMs.leader);
  if (near.length) L.push(`${''.padEnd(15)} abuse in the 10 s before the longest leader gap ended: ${near.join('; ')}`);
  L.push('');
  L.push(r.broken.length ? `BROKEN (${r.broken.length}):\n  ${r.broken.join('\n  ')}` : 'every invariant held');
  if (r.logs) L.push(`component logs kept in ${r.logs}`);
  return L.join('\n');
}
