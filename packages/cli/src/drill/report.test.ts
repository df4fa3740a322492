import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline } from './timeline.js';
import { reportMarkdown } from './report.js';
import { reportHtml } from './html.js';
import type { DrillReport } from './report-types.js';

function sample(): DrillReport {
  let now = 1_000_000;
  const tl = new Timeline(() => now);
  tl.add('workload-ready', '4 replicas Ready');
  now += 1500;
  tl.fault('kill-agent n-1');
  now += 3600;
  tl.add('node-not-ready', 'node n-1 NotReady');
  tl.addOnce('ready/p', 'ready', 'pod p Ready <on> n-2');
  tl.addOnce('ready/p', 'ready', 'pod p Ready again');
  now += 5000;
  tl.add('recovered', '4 replicas Ready off n-1');
  return {
    scenario: 'agent-kill',
    summary: 'the agent dies',
    target: 'embedded',
    startedAt: new Date(999_000).toISOString(),
    faultAt: new Date(1_001_500).toISOString(),
    fault: 'killed the agent of n-1',
    node: 'n-1',
    namespace: 'drill-agent-kill-x',
    replicas: 4,
    timeToDetectMs: tl.first('node-not-ready')!.t,
    timeToRecoverMs: tl.first('recovered')!.t,
    coldStartMs: 4000,
    passed: false,
    checks: [
      { name: 'desired replicas restored', ok: true, detail: '4/4 Ready' },
      { name: 'the Service answered throughout', ok: false, detail: '60/100 requests failed | badly' },
    ],
    service: { requests: 100, failed: 60, failedShare: 0.6, longestOutageMs: 3000, outages: [[100, 3100]] },
    writes: { attempted: 10, acknowledged: 9, failed: 1, lost: [], outages: [[200, 300]] },
    timeline: tl.sorted(),
  };
}

test('timeline: times relative to the fault, marks added once per key', () => {
  const r = sample();
  assert.deepEqual(r.timeline.map((m) => [m.kind, m.t]), [['workload-ready', -1500], ['fault', 0], ['node-not-ready', 3600], ['ready', 3600], ['recovered', 8600]]);
  assert.equal(r.timeToDetectMs, 3600);
});

test('markdown: verdict, figures, failed checks and the timeline', () => {
  const md = reportMarkdown(sample());
  assert.match(md, /^# Drill agent-kill: FAILED/);
  assert.match(md, /time to detect: \*\*3\.60 s\*\*; time to recover: \*\*8\.60 s\*\*/);
  assert.match(md, /\| the Service answered throughout \| \*\*FAILED\*\* \| 60\/100 requests failed \\\| badly \|/);
  assert.match(md, /\| \+3\.60 s \| node-not-ready \| node n-1 NotReady \|/);
});

test('html: self-contained page with the timeline drawn and text escaped', () => {
  const html = reportHtml(sample());
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<circle /g) ?? []).length, 4, 'one dot per mark but workload-ready');
  assert.match(html, /<rect [^>]*fill="#e74c3c"/, 'the Service outage is drawn');
  assert.match(html, /pod p Ready &lt;on&gt; n-2/);
  assert.doesNotMatch(html, /<script|(src|href)=["']?https?:/);
});
