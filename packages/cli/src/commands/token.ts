// `k8ts token create [--ttl 24h] [--groups g1,g2]`: a bootstrap token for an agent joining the
// embedded cluster later (agent --bootstrap-token <id.secret> --cert-dir DIR); prints the
// token and nothing else, as `kubeadm token create` does.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parseDuration } from '@k8ts/api';
import { Home, defaultConfig } from '../home.js';
import { ensureTokens } from '../tokens.js';
import { bootstrapTokenSecret, newBootstrapToken, DEFAULT_NODE_TOKEN_GROUP } from '../bootstrap-token.js';

export interface TokenCreateOptions {
  ttl?: string;
  groups?: string;
}

export async function tokenCreate(o: TokenCreateOptions): Promise<void> {
  const ttlMs = parseDuration(o.ttl ?? '24h');
  const groups = (o.groups ?? DEFAULT_NODE_TOKEN_GROUP).split(',').map((g) => g.trim()).filter(Boolean);
  const home = new Home();
  const config = home.readConfig() ?? defaultConfig;
  const t = newBootstrapToken();
  const body = JSON.stringify(bootstrapTokenSecret(t, ttlMs, groups));
  const res = await post(`https://127.0.0.1:${config.apiPort}/api/v1/namespaces/kube-system/secrets`, ensureTokens(home).admin, readFileSync(home.path('apiserver.crt')), body);
  if (res.status !== 201) throw new Error(`creating the bootstrap token: ${res.status} ${messageOf(res.body)}`);
  console.log(t.token);
}

function messageOf(body: string): string {
  try {
    return JSON.parse(body).message ?? body;
  } catch {
    return body;
  }
}

function post(url: string, token: string, ca: Buffer, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, timeout: 5000, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}
