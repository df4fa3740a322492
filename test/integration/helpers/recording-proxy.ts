// An HTTPS proxy in front of the test apiserver that records each request's method, path,
// content type and body: how a test knows kubectl really sent protobuf, and what it sent.
import https from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  contentType: string;
  accept: string;
  body: Buffer;
  /** The status code the apiserver answered (0 until it has). */
  status: number;
}

export interface RecordingProxy {
  url: string;
  requests: Recorded[];
  /** A kubeconfig like `kubeconfig` whose server is this proxy. */
  kubeconfigFor(kubeconfig: string, dir: string): string;
  close(): Promise<void>;
}

export async function startRecordingProxy(targetUrl: string, certFile: string, keyFile: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const requests: Recorded[] = [];
  const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', accept: String(req.headers.accept ?? ''), body, status: 0 };
      requests.push(rec);
      const up = https.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, rejectUnauthorized: false },
        (upRes) => {
          rec.status = upRes.statusCode ?? 0;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      res.on('close', () => up.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    kubeconfigFor(kubeconfig, dir) {
      const p = join(dir, 'kubeconfig-proxy');
      writeFileSync(p, readFileSync(kubeconfig, 'utf8').replace(/server: .*/, `server: ${url}`));
      return p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
