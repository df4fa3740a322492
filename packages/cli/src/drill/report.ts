// A drill's report as files: report.json (the figures), report.md (for people and PRs) and
// report.html (one self-contained page with the timeline drawn), in one directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secs, type DrillReport } from './report-types.js';
import { reportHtml } from './html.js';


export function reportMarkdown(r: DrillReport): string {
  const lines = [
    `# Drill ${r.scenario}: ${r.passed ? 'passed' : 'FAILED'}`,
    '',
    `${r.summary}.`,
    '',
    `- cluster: ${r.target}; workload: Deployment \`${r.namespace}/web\` (${r.replicas} replicas) and its Service`,
    `- fault: ${r.fault} at ${r.faultAt}`,
    `- time to detect: **${secs(r.timeToDetectMs)}**; time to recover: **${secs(r.timeToRecoverMs)}** (cold start of the workload: ${secs(r.coldStartMs)})`,
    `- Service: ${r.service.failed}/${r.service.requests} requests failed (${(r.service.failedShare * 100).toFixed(1)} %), longest outage ${secs(r.service.longestOutageMs)}`,
    `- writes: ${r.writes.acknowledged} acknowledged of ${r.writes.attempted}, ${r.writes.lost.length} lost`,
    '',
    '## Checks',
    '',
    '| check | result | detail |',
    '|---|---|---|',
    ...r.checks.map((c) => `| ${c.name} | ${c.ok ? 'ok' : '**FAILED**'} | ${c.detail.replace(/\|/g, '\\|')} |`),
    '',
    '## Timeline',
    '',
    '| t | what | |',
    '|---:|---|---|',
    ...r.timeline.map((m) => `| ${m.t >= 0 ? '+' : ''}${(m.t / 1000).toFixed(2)} s | ${m.kind} | ${m.what.replace(/\|/g, '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}

export function writeReport(dir: string, r: DrillReport): { dir: string; json: string; md: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const files = { dir, json: join(dir, 'report.json'), md: join(dir, 'report.md'), html: join(dir, 'report.html') };
  writeFileSync(files.json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(files.md, reportMarkdown(r));
  writeFileSync(files.html, reportHtml(r));
  return files;
}
