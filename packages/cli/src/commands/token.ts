// `k8ts token create [--ttl 24h] [--groups g1,g2] [--print-join-command]`: a bootstrap token for
// an agent joining the embedded cluster later; prints the token and nothing else, or with
// --print-join-command the whole `k8ts join` line (server, token, CA hash), as
// `kubeadm token create` does.
import { readFileSync } from 'node:fs';
import { parseDuration } from '@k8ts/api';
import { Home, defaultConfig } from '../home.js';
import { ensureTokens } from '../tokens.js';
import { apiSend, trustCertificate } from '../api.js';
import { bootstrapTokenSecret, newBootstrapToken, DEFAULT_NODE_TOKEN_GROUP } from '../bootstrap-token.js';
import { caCertHash } from '../join/discovery.js';
import { machinesLayout } from '../machines/layout.js';

export interface TokenCreateOptions {
  ttl?: string;
  groups?: string;
  printJoinCommand?: boolean;
}

export async function tokenCreate(o: TokenCreateOptions): Promise<void> {
  const ttlMs = parseDuration(o.ttl ?? '24h');
  const groups = (o.groups ?? DEFAULT_NODE_TOKEN_GROUP).split(',').map((g) => g.trim()).filter(Boolean);
  const home = new Home();
  const config = home.readConfig() ?? defaultConfig;
  // A joined host's proxy and podnet are routed and ranged by nodeipam: only a machines cluster has it.
  if (o.printJoinCommand && config.machines <= 0) throw new Error('joining needs a cluster made with `k8ts up --machines N` (node pod ranges and routes between hosts)');
  const ca = readFileSync(home.path('pki', 'ca.crt'));
  trustCertificate(ca);
  const t = newBootstrapToken();
  await apiSend(`https://127.0.0.1:${config.apiPort}`, ensureTokens(home).admin, 'POST', '/api/v1/namespaces/kube-system/secrets', bootstrapTokenSecret(t, ttlMs, groups)).catch((e: Error) => {
    throw new Error(`creating the bootstrap token: ${e.message}`);
  });
  if (!o.printJoinCommand) {
    console.log(t.token);
    return;
  }
  // The machines reach the apiserver's gRPC face at the host's LAN address.
  const server = `${machinesLayout(config, home).hostIP}:${config.grpcPort}`;
  console.log(`k8ts join --server ${server} --token ${t.token} --discovery-token-ca-cert-hash ${caCertHash(ca)}`);
}
