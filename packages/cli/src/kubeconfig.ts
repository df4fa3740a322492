import { writeFileSync } from 'node:fs';
import YAML from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token: string;
  name?: string;
  caData?: string; // base64 PEM of the serving certificate
}

export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'k8ts';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, ...(opts.caData ? { 'certificate-authority-data': opts.caData } : {}) } }],
    users: [{ name: `${name}-admin`, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}

export interface ClientCertKubeconfigOptions {
  server: string;
  /** The user's name in the kubeconfig (its certificate's CN). */
  user: string;
  certPem: string;
  keyPem: string;
  caPem: string;
  cluster?: string;
}

/** A kubeconfig whose user authenticates with a client certificate (embedded as data). */
export function clientCertKubeconfigYaml(o: ClientCertKubeconfigOptions): string {
  const cluster = o.cluster ?? 'k8ts';
  const context = `${o.user}@${cluster}`;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [{ name: o.user, user: { 'client-certificate-data': b64(o.certPem), 'client-key-data': b64(o.keyPem) } }],
    contexts: [{ name: context, context: { cluster, user: o.user, namespace: 'default' } }],
    'current-context': context,
    preferences: {},
  });
}
