// `k8ts kubeconfig --user NAME [--group G]...`: a client certificate for a person, signed by
// the cluster CA (CN = NAME, O = the groups), in a kubeconfig for the running cluster, so an
// operator can hand out a credential and bind it to a role. Printed, or written 0600 with --out.
import { chmodSync, writeFileSync } from 'node:fs';
import { issueClientCert, type CertKeyPair } from '@k8ts/client';
import { Home, defaultConfig } from '../home.js';
import { readClusterCa } from '../cluster-pki.js';
import { clientCertKubeconfigYaml } from '../kubeconfig.js';

export interface UserKubeconfigOptions {
  user: string;
  group?: string[];
  out?: string;
  /** Validity in days (default 365). */
  days?: number;
  /** The API address (default: the embedded cluster's, or the compose cluster's). */
  server?: string;
  compose?: boolean;
  project?: string;
}

/** Kubernetes refuses user names with control characters; "system:" names belong to the cluster. */
export function checkUserName(user: string, groups: string[]): void {
  const bad = (s: string) => !s || /[\u0000-\u001f\u007f,]/.test(s) || s.length > 253;
  if (bad(user)) throw new Error(`--user must be a non-empty name without control characters or commas, not ${JSON.stringify(user)}`);
  for (const g of groups) if (bad(g)) throw new Error(`--group must be a non-empty name without control characters or commas, not ${JSON.stringify(g)}`);
  if (groups.includes('system:masters')) console.error('warning: the group system:masters bypasses all authorization; the admin kubeconfig is the intended credential for it');
}

async function clusterCa(o: UserKubeconfigOptions): Promise<{ ca: CertKeyPair; server: string; cluster: string }> {
  if (o.compose) {
    const { resolveSettings } = await import('../compose/project.js');
    const { requireServiceContainer, readContainerFile } = await import('../compose/containers.js');
    const s = await resolveSettings(o.project);
    const api = await requireServiceContainer(s.project, 'apiserver');
    const [certPem, keyPem] = await Promise.all([readContainerFile(api.Id, '/var/lib/k8ts/pki/ca.crt'), readContainerFile(api.Id, '/var/lib/k8ts/pki/ca.key')]);
    return { ca: { certPem, keyPem }, server: o.server ?? `https://127.0.0.1:${s.apiPort}`, cluster: 'k8ts-compose' };
  }
  const home = new Home();
  const ca = readClusterCa(home.dir);
  if (!ca) throw new Error(`no cluster CA in ${home.dir}/pki (\`k8ts up\` makes one)`);
  const config = home.readConfig() ?? defaultConfig;
  return { ca, server: o.server ?? `https://127.0.0.1:${config.apiPort}`, cluster: 'k8ts' };
}

export async function userKubeconfig(o: UserKubeconfigOptions): Promise<string> {
  const groups = o.group ?? [];
  checkUserName(o.user, groups);
  if (o.days !== undefined && !(Number.isInteger(o.days) && o.days > 0 && o.days <= 3650)) throw new Error('--days must be a whole number from 1 to 3650');
  const { ca, server, cluster } = await clusterCa(o);
  const pair = issueClientCert(ca, { user: o.user, groups, days: o.days });
  const yaml = clientCertKubeconfigYaml({ server, user: o.user, certPem: pair.certPem, keyPem: pair.keyPem, caPem: ca.certPem, cluster });
  if (o.out) {
    writeFileSync(o.out, yaml, { mode: 0o600 });
    chmodSync(o.out, 0o600);
  }
  return yaml;
}
