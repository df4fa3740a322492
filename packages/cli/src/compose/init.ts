// What the compose cluster's one-shot `init` service makes (see init-main.ts): the admin
// token, the cluster CA, the apiserver's serving certificate, a client certificate per
// component (system:node:<name> for each agent, system:kube-scheduler, …), and etcd's PKI
// (its CA, a serving and peer pair per member, the apiserver's etcd client) in the secrets volume.
import { mkdirSync } from 'node:fs';
import { Home } from '../home.js';
import { ensureServingCert, ensureTokens } from '../tokens.js';
import { ensureEncryptionConfig } from '../encryption-config.js';
import { ensureAdmissionConfig } from '../admission-config.js';
import { ensureServiceAccountKey } from '../service-account-key.js';
import { ensureClientCredential, firstServiceIp } from '../cluster-pki.js';
import { CONTROLLER_MANAGER_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, PROXY_IDENTITY, SCHEDULER_IDENTITY, nodeIdentity } from '@k8ts/client';
import { composeNodes, composeSettings } from './settings.js';
import { ensureEtcdPki } from '../etcd-pki.js';
import { COMPOSE_ETCD_MEMBERS } from './etcd.js';

export async function composeInit(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const home = new Home(dir);
  ensureTokens(home);
  const s = composeSettings(env.COMPOSE_PROJECT_NAME ?? 'k8ts', env);
  // Published on 127.0.0.1; inside the network the apiserver is `apiserver`; pods use the
  // `kubernetes` Service's ClusterIP.
  const ips = ['127.0.0.1', firstServiceIp(s.serviceRange)].filter((ip): ip is string => !!ip);
  const cert = await ensureServingCert(home, ips, ['apiserver']);
  ensureEncryptionConfig(home);
  ensureAdmissionConfig(home);
  ensureServiceAccountKey(home);
  const ids = [SCHEDULER_IDENTITY, CONTROLLER_MANAGER_IDENTITY, PROXY_IDENTITY, DNS_IDENTITY, INGRESS_IDENTITY, ...composeNodes(s).map(nodeIdentity)];
  for (const id of ids) ensureClientCredential(cert.pki, id);
  // etcd's own CA: each member's serving and peer certificates, the apiserver's client and the healthcheck client.
  ensureEtcdPki(dir, COMPOSE_ETCD_MEMBERS);
  console.log(`cluster CA, serving certificate, ${ids.length} component credentials and the etcd PKI ready in ${dir}/pki`);
}
