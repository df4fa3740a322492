// Slowloris: connections that send their request headers and then a byte of body every few
// seconds (cut off by the apiserver's 60 s body timeout with a 408), or their headers a line
// at a time (Node's 60 s headersTimeout). A fixed number of them stay open; each one that
// ends is counted by how it ended (the status line the server sent, or `closed`) and replaced.
import tls from 'node:tls';
import type { Abuse } from './context.js';
import { outcome, type ApiClient } from '../http.js';

const SLOTS = 24;
/** Far past the server's 60 s: a connection still open then was never cut off. */
const GIVE_UP_MS = 150_000;

function slowOne(a: Abuse, c: ApiClient, mode: 'body' | 'headers', everyMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const { hostname, port } = c.url;
    const s = tls.connect({ host: hostname, port: Number(port), ca: c.ca, cert: c.id.cert, key: c.id.key });
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (o: string | undefined) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(giveUp);
      s.destroy();
      resolve(o);
    };
    const giveUp = setTimeout(() => done('still-open'), GIVE_UP_MS);
    const stopCheck = setInterval(() => a.running() || (clearInterval(stopCheck), done(undefined)), 500);
    s.once('close', () => clearInterval(stopCheck));
    const head = [
      `POST /api/v1/namespaces/${a.config.floodNamespace}/configmaps HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      ...(c.id.token ? [`Authorization: Bearer ${c.id.token}`] : []),
      'Content-Type: application/json',
      'Content-Length: 4096',
    ];
    s.once('secureConnect', () => {
      let i = 0;
      if (mode === 'body') s.write(`${head.join('\r\n')}\r\n\r\n{`);
      else s.write(`${head[i++]}\r\n`);
      timer = setInterval(() => {
        if (mode === 'body') s.write('"');
        else s.write(i < head.length ? `${head[i++]}\r\n` : `X-Slow-${i++}: 1\r\n`);
      }, everyMs);
    });
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length > 64 * 1024) got = got.slice(0, 1024);
    });
    s.once('end', () => done(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 'closed'));
    s.once('error', (e) => done(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? outcome(e)));
  });
}

export async function slowBodies(a: Abuse): Promise<void> {
  const slot = async (i: number) => {
    for (let round = 0; a.running(); round++) {
      const mode = (i + round) % 3 === 2 ? 'headers' : 'body';
      const c = i % 2 ? a.admin : a.users[i % a.users.length]!;
      a.tally.note('slow-bodies', `opened (${mode})`);
      const o = await slowOne(a, c, mode, 2000 + a.rng.int(3000));
      if (o !== undefined) a.tally.add('slow-bodies', `${mode}:${o}`);
    }
  };
  // Staggered, so they do not all end in the same second.
  await Promise.all(Array.from({ length: SLOTS }, (_, i) => a.sleep(i * 2500).then(() => slot(i))));
}
