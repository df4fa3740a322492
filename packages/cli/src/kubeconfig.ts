import { writeFileSync } from 'node:fs';
import YAML from 'yaml';

export function kubeconfigYaml(opts: { server: string; token: string; name?: string }): string {
  const name = opts.name ?? 'k8ts';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server } }],
    users: [{ name: `${name}-admin`, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, opts: { server: string; token: string; name?: string }): void {
  writeFileSync(path, kubeconfigYaml(opts), { mode: 0o600 });
}
