// HTTPS to the apiserver as one identity (a bearer token or a client certificate), on a
// keep-alive agent of its own, answering with the status and body instead of throwing on
// 4xx/5xx: the soak counts every answer. Errors of the connection itself reject with their
// code (ECONNRESET, timeout, …) for the caller to count.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface Identity {
  name: string;
  token?: string;
  cert?: string;
  key?: string;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  body?: string | Buffer;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

export class ApiClient {
  readonly agent: https.Agent;
  readonly url: URL;

  constructor(
    server: string,
    readonly ca: string,
    readonly id: Identity,
    maxSockets = 32,
  ) {
    this.url = new URL(server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca, cert: id.cert, key: id.key });
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.id.token ? { authorization: `Bearer ${this.id.token}` } : {}), ...extra };
  }

  request(method: string, path: string, o: RequestOptions = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers = this.headers({ accept: o.accept ?? 'application/json' });
      if (o.body !== undefined) {
        headers['content-type'] = o.contentType ?? 'application/json';
        headers['content-length'] = String(Buffer.byteLength(o.body));
      }
      const req = https.request({ hostname: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent, timeout: o.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', reject);
      req.end(o.body);
    });
  }

  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const a = await this.request(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    if (a.status >= 300) throw Object.assign(new Error(`${method} ${path}: ${a.status} ${a.body.slice(0, 300)}`), { status: a.status });
    return JSON.parse(a.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** What a failed request counts as: the answer's status, or the error's code. */
export function outcome(e: unknown): string {
  const code = (e as { code?: string }).code;
  return code ? `err:${code}` : `err:${(e as Error).message?.slice(0, 40) ?? 'unknown'}`;
}
