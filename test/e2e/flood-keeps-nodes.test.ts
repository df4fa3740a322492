// Issue 14's "429 under a flood while nodes stay Ready", on a real cluster: the soak's code
// (test/soak/run.ts) brings up `k8ts up` with three agents (ports, network, ranges and node
// names of its own) and a workload behind a Service, then floods the apiserver for 40 s
// with creates, deletes and lists of three users outside system:masters (their priority level
// overrun), a service account and the admin, while it watches the components' pids, the
// nodes, the Leases and the Service; `k8ts down --purge` at the end, whatever happened.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak, type SoakResult } from '../soak/run.js';
import { formatSummary } from '../soak/summary.js';

let r: SoakResult;

before(async () => {
  r = await runSoak({ seconds: 40, seed: 14, kinds: ['flood'], agents: 3, replicas: 2, floodWorkers: 120, prefix: 'flood', log: (s) => console.log(s) });
  console.log(formatSummary(r));
});

test('the flood was partly refused with 429, each with Retry-After and a TooManyRequests Status, and partly served', () => {
  const f = r.tally.flood;
  assert.ok((f.outcomes['429'] ?? 0) > 0, `no 429 among ${JSON.stringify(f.outcomes)}`);
  assert.equal(f.notes['429 with Retry-After'], f.outcomes['429']);
  assert.equal(f.notes['429 malformed'], undefined);
  assert.ok((f.outcomes['201'] ?? 0) > 0 && (f.outcomes['200'] ?? 0) > 0, `nothing served: ${JSON.stringify(f.outcomes)}`);
  assert.equal(f.outcomes['500'], undefined, f.samples.join('\n'));
});

test('no node went NotReady and no Lease expired or changed hands', () => {
  assert.equal(r.cluster.nodes.length, 3);
  assert.deepEqual(r.cluster.notReady, []);
  assert.deepEqual(r.cluster.expiries, []);
  assert.deepEqual(r.cluster.holderChanges, []);
  assert.ok(r.cluster.renewals > 0, 'Lease renewals were seen');
  assert.ok(r.cluster.leases.includes('kube-system/k8ts-scheduler') && r.cluster.leases.includes('kube-system/k8ts-controller-manager'));
});

test('no component exited', () => {
  assert.ok(r.processes.watched.includes('apiserver') && r.processes.watched.length >= 11, r.processes.watched.join(', '));
  assert.deepEqual(r.processes.exits, []);
});

test('the Service kept answering: never two requests in a row unanswered', () => {
  assert.ok(r.service.requests > 20, `${r.service.requests} requests`);
  assert.ok(r.service.longestFailureRun <= 1, `${r.service.longestFailureRun} requests in a row failed (${r.service.failed} of ${r.service.requests})`);
});
