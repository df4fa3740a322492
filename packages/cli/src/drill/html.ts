// The drill's timeline drawn as one self-contained HTML page: inline SVG and CSS, no script,
// no external assets. Lanes: fault and heal, nodes, pods, control plane, the Service's
// failed requests and the writer's failed writes; detection and recovery as vertical lines.
import { secs, type DrillReport } from './report-types.js';
import type { Mark, MarkKind } from './timeline.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LANES: { title: string; kinds: MarkKind[]; color: string }[] = [
  { title: 'fault', kinds: ['fault', 'heal', 'settled'], color: '#c0392b' },
  { title: 'nodes', kinds: ['node-not-ready', 'taint', 'node-ready', 'untainted'], color: '#d35400' },
  { title: 'pods', kinds: ['pod-not-ready', 'eviction', 'replacement-created', 'scheduled', 'running', 'ready', 'pod-removed', 'recovered'], color: '#2471a3' },
  { title: 'control plane', kinds: ['leader', 'api-down', 'api-up'], color: '#7d3c98' },
  { title: 'events', kinds: ['event'], color: '#7f8c8d' },
];

export function reportHtml(r: DrillReport): string {
  const marks = r.timeline.filter((m) => m.kind !== 'workload-ready');
  const t0 = Math.min(-1000, ...marks.map((m) => m.t));
  const t1 = Math.max((r.timeToRecoverMs ?? 0) + 1000, ...marks.map((m) => m.t)) + 500;
  const W = 1000;
  const left = 120;
  const laneH = 46;
  const top = 30;
  const lanes = LANES.length + 2;
  const H = top + lanes * laneH + 30;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (W - left - 20);
  const parts: string[] = [];
  // Axis with a tick every second (or every 5 s on long drills).
  const step = t1 - t0 > 40_000 ? 5000 : 1000;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    parts.push(`<line x1="${x(t)}" y1="${top - 8}" x2="${x(t)}" y2="${H - 24}" class="grid"/>`);
    parts.push(`<text x="${x(t)}" y="${H - 8}" class="tick">${t / 1000}s</text>`);
  }
  LANES.forEach((lane, i) => {
    const y = top + i * laneH + laneH / 2;
    parts.push(`<text x="8" y="${y + 4}" class="lane">${lane.title}</text>`);
    parts.push(`<line x1="${left}" y1="${y}" x2="${W - 20}" y2="${y}" class="lanel"/>`);
    const ms = marks.filter((m) => lane.kinds.includes(m.kind));
    ms.forEach((m, j) => parts.push(dot(x(m.t), y + ((j % 3) - 1) * 9, lane.color, m)));
  });
  const bar = (i: number, title: string, spans: [number, number][], color: string) => {
    const y = top + i * laneH + laneH / 2;
    parts.push(`<text x="8" y="${y + 4}" class="lane">${title}</text>`);
    parts.push(`<line x1="${left}" y1="${y}" x2="${W - 20}" y2="${y}" class="lanel"/>`);
    for (const [a, b] of spans)
      parts.push(`<rect x="${x(a)}" y="${y - 8}" width="${Math.max(2, x(b) - x(a))}" height="16" fill="${color}"><title>${esc(`${title}: failing from ${secs(a)} to ${secs(b)}`)}</title></rect>`);
  };
  bar(LANES.length, 'Service fails', r.service.outages, '#e74c3c');
  bar(LANES.length + 1, 'writes fail', r.writes.outages, '#8e44ad');
  const vline = (t: number | null, label: string, cls: string) =>
    t === null ? '' : `<line x1="${x(t)}" y1="${top - 12}" x2="${x(t)}" y2="${H - 24}" class="${cls}"/><text x="${x(t) + 3}" y="${top - 14}" class="vl">${esc(label)}</text>`;
  parts.push(vline(0, 'fault', 'v-fault'), vline(r.timeToDetectMs, `detected ${secs(r.timeToDetectMs)}`, 'v-detect'), vline(r.timeToRecoverMs, `recovered ${secs(r.timeToRecoverMs)}`, 'v-recover'));

  const rows = r.timeline.map((m) => `<tr><td class="num">${(m.t / 1000).toFixed(2)} s</td><td>${esc(m.kind)}</td><td>${esc(m.what)}</td></tr>`).join('\n');
  const checks = r.checks.map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${c.ok ? '✔' : '✘'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>k8ts drill ${esc(r.scenario)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1080px}
h1{font-size:20px} .pass{color:#1e8449} .fail{color:#c0392b}
table{border-collapse:collapse;margin:8px 0 20px} td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap} tr.bad td{color:#c0392b;font-weight:600}
svg{border:1px solid #ddd;background:#fcfcfc} .grid{stroke:#eee} .lanel{stroke:#ccc} .tick{font-size:10px;fill:#888;text-anchor:middle}
.lane{font-size:12px;fill:#444} .vl{font-size:11px;fill:#333} .v-fault{stroke:#c0392b;stroke-width:2} .v-detect{stroke:#d35400;stroke-dasharray:4 3} .v-recover{stroke:#1e8449;stroke-width:2}
</style></head><body>
<h1>Drill ${esc(r.scenario)}: <span class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'passed' : 'FAILED'}</span></h1>
<p>${esc(r.summary)}.<br>Cluster: ${r.target}. Fault: ${esc(r.fault)} at ${esc(r.faultAt)}.<br>
Time to detect <b>${secs(r.timeToDetectMs)}</b>, time to recover <b>${secs(r.timeToRecoverMs)}</b>.
Service: ${r.service.failed}/${r.service.requests} requests failed (${(r.service.failedShare * 100).toFixed(1)} %). Writes: ${r.writes.acknowledged} acknowledged, ${r.writes.lost.length} lost.</p>
<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>
<p style="font-size:12px;color:#666">Hover a dot for what happened. Time in seconds from the fault.</p>
<h2>Checks</h2><table>${checks}</table>
<h2>Timeline</h2><table><tr><th>t</th><th>kind</th><th>what</th></tr>${rows}</table>
</body></html>
`;
}

function dot(cx: number, cy: number, color: string, m: Mark): string {
  return `<circle cx="${cx.toFixed(1)}" cy="${cy}" r="4.5" fill="${color}" fill-opacity="0.8"><title>${esc(`${(m.t / 1000).toFixed(2)} s ${m.kind}: ${m.what}`)}</title></circle>`;
}
