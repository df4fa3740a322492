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
