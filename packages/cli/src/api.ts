// The few REST calls the CLI makes itself (readiness, nodes, leases, bootstrap tokens, the join settings). The apiserver serves
// HTTPS with the cluster's own self-signed certificate, which these calls trust explicitly.
import http from 'node:http';
import https from 'node:https';

let trusted: string | Buffer | undefined;

/** The CA (the serving certificate itself) that https calls of this process trust. */
export function trustCertificate(pem: string | Buffer): void {
  trusted = pem;
}

function request(url: string, headers: Record<string, string>, timeoutMs: number, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method, headers, timeout: timeoutMs, ...(url.startsWith('https:') && trusted ? { ca: trusted } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function apiGet(server: string, token: string, path: string, timeoutMs = 3000): Promise<any> {
  const res = await request(server + path, { authorization: `Bearer ${token}`, accept: 'application/json' }, timeoutMs);
  if (res.status < 200 || res.status >= 300) throw new Error(`GET ${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body);
}

/** A write; the Status message of a refusal in the error. */
export async function apiSend(server: string, token: string, method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown, contentType = 'application/json', timeoutMs = 5000): Promise<any> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(server + path, { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': contentType }, timeoutMs, method, text);
  if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${messageOf(res.body)}`);
  return JSON.parse(res.body);
}

function messageOf(body: string): string {
  try {
    return JSON.parse(body).message ?? body;
  } catch {
    return body;
  }
}

export async function isReady(url: string): Promise<boolean> {
  try {
    return (await request(url, {}, 2000)).status === 200;
  } catch {
    return false;
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
