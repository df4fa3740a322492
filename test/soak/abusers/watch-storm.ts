// Watch storms: a few hundred watches opened at once (each on a TLS connection of its own,
// from the users, the service account and the admin; on the flood's ConfigMaps, every pod,
// every event, nodes, from a resourceVersion long compacted, with selectors), held for a
// moment while the flood's writes fan out to them, then dropped; again and again.
import https from 'node:https';
import type { Abuse } from './context.js';
import { outcome, type ApiClient } from '../http.js';

function paths(ns: string): string[] {
  return [
    `/api/v1/namespaces/${ns}/configmaps?watch=1`,
    `/api/v1/namespaces/${ns}/configmaps?watch=1&allowWatchBookmarks=true&labelSelector=soak%21%3Dnone`,
    '/api/v1/pods?watch=1',
    '/api/v1/events?watch=1',
    '/api/v1/nodes?watch=1',
    `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=1`,
    `/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=0`,
    '/api/v1/pods?watch=1&resourceVersion=0&allowWatchBookmarks=true',
    `/api/v1/namespaces/${ns}/configmaps?watch=1&fieldSelector=metadata.name%3Df-x-1`,
  ];
}

/** One watch: its status, the lines (events) received before it is dropped after `holdMs`. */
function watchOnce(c: ApiClient, path: string, holdMs: number): Promise<{ outcome: string; events: number }> {
  return new Promise((resolve) => {
    let events = 0;
    let status = '';
    let settled = false;
    const done = (o: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(hold);
      req.destroy();
      resolve({ outcome: o, events });
    };
    const req = https.request({ hostname: c.url.hostname, port: c.url.port, path, headers: c.headers(), agent: false, ca: c.ca, cert: c.id.cert, key: c.id.key, timeout: 30_000 }, (res) => {
      status = String(res.statusCode);
      res.on('data', (d: Buffer) => {
        for (const b of d) if (b === 10) events++;
      });
      res.on('end', () => done(status));
      res.on('error', () => done(status));
    });
    const hold = setTimeout(() => done(status || 'err:no-answer'), holdMs);
    req.on('timeout', () => done(status || 'err:TIMEOUT'));
    req.on('error', (e) => done(status || outcome(e)));
    req.end();
  });
}

export async function watchStorms(a: Abuse): Promise<void> {
  const all = paths(a.config.floodNamespace);
  while (a.running()) {
    const n = 150 + a.rng.int(150);
    a.tally.note('watch-storm', 'storms');
    a.tally.event('watch-storm', `${n} watches opened`);
    await Promise.all(
      Array.from({ length: n }, async () => {
        const c = a.rng.pick(a.clients);
        const r = await watchOnce(c, a.rng.pick(all), 500 + a.rng.int(7500));
        a.tally.add('watch-storm', r.outcome);
        a.tally.note('watch-storm', 'events received', r.events);
      }),
    );
    a.tally.event('watch-storm', 'storm over');
    await a.sleep(1000);
  }
}
