// Big bodies, one every second in rotation: REST bodies over the 3 MiB cap (declared in
// Content-Length, or chunked with no length so the cap is found while reading), from the
// admin and from a user; gRPC messages over the 4 MiB cap; and every tenth round four
// concurrent 63 MiB gRPC Creates (issue 14's event-loop stall).
import https from 'node:https';
import { GrpcClient } from '@k8ts/client';
import type { Abuse } from './context.js';
import { outcome, type ApiClient } from '../http.js';

const MiB = 1024 * 1024;

/** Sends `size` bytes of a ConfigMap-looking JSON body, declared or chunked in 64 KiB pieces. */
function sendBig(c: ApiClient, method: string, path: string, size: number, declared: boolean, contentType = 'application/json'): Promise<string> {
  return new Promise((resolve) => {
    const head = Buffer.from(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"`);
    const headers = c.headers({ 'content-type': contentType, ...(declared ? { 'content-length': String(size) } : {}) });
    let answered = false;
    const req = https.request({ hostname: c.url.hostname, port: c.url.port, method, path, headers, agent: c.agent, timeout: 60_000 }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', () => resolve(String(res.statusCode)));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    // A server that answers 413 and closes may reset the upload: the answer is what counts.
    req.on('error', (e) => answered || resolve(outcome(e)));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      if (sent === 0) {
        req.write(head);
        sent = head.length;
      }
      while (sent < size && !answered && !req.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

export async function bigBodies(a: Abuse): Promise<void> {
  const grpc = new GrpcClient({ server: a.config.grpcServer, token: a.config.admin.token, ca: a.config.ca, exchange: false, timeoutMs: 60_000 });
  const ns = a.config.floodNamespace;
  const cms = `/api/v1/namespaces/${ns}/configmaps`;
  let huge: string | undefined;
  const grpcCreate = (bytes: number) => {
    const big = bytes > 8 * MiB ? (huge ??= 'x'.repeat(bytes)) : 'x'.repeat(bytes);
    return grpc.create('configmaps', { metadata: { name: `big-${bytes}`, namespace: ns }, data: { a: big } }).then(
      () => 'grpc:created',
      (e: { code?: number | string }) => `grpc:${e.code ?? '?'}`,
    );
  };
  try {
    for (let round = 0; a.running(); round++) {
      // A user's requests may be refused 429 before the body is read (their level is flooded); the service account's seldom are.
      const user = round % 2 ? a.sa : a.users[(round >> 1) % a.users.length]!;
      if (round % 10 === 9) a.tally.event('big-bodies', '4 × 63 MiB gRPC creates');
      const results: string[] =
        round % 10 === 9
          ? await Promise.all(Array.from({ length: 4 }, () => grpcCreate(63 * MiB)))
          : [
              await [
                () => sendBig(user, 'POST', cms, 4 * MiB, true),
                () => sendBig(a.admin, 'POST', cms, 5 * MiB, false),
                () => sendBig(a.admin, 'PUT', `${cms}/big`, 3 * MiB + 4096, true),
                () => sendBig(user, 'PATCH', `${cms}/big`, 6 * MiB, false, 'application/merge-patch+json'),
                () => grpcCreate(5 * MiB),
              ][round % 5]!(),
            ];
      for (const r of results) a.tally.add('big-bodies', r);
      if (round % 10 === 9) a.tally.event('big-bodies', `63 MiB creates answered: ${results.join(' ')}`);
      await a.sleep(1000);
    }
  } finally {
    grpc.close();
  }
}
