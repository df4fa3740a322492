// Bearer tokens generated once per cluster home: one for the admin (the kubeconfig) and one
// for the cluster's own components, in the CSV form kube-apiserver's --token-auth-file reads.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Home } from './home.js';

export interface Tokens {
  admin: string;
  components: string;
  csvPath: string;
  componentTokenPath: string;
}

export function ensureTokens(home: Home): Tokens {
  const csvPath = home.path('tokens.csv');
  const componentTokenPath = home.path('component.token');
  if (!existsSync(csvPath) || !existsSync(componentTokenPath)) {
    const admin = randomBytes(24).toString('hex');
    const components = randomBytes(24).toString('hex');
    writeFileSync(csvPath, `${admin},admin,admin,"system:masters"\n${components},system:k8ts-components,components,"system:masters"\n`, { mode: 0o600 });
    writeFileSync(componentTokenPath, components + '\n', { mode: 0o600 });
  }
  const rows = readFileSync(csvPath, 'utf8').trim().split('\n').map((l) => l.split(','));
  const admin = rows.find((r) => r[1] === 'admin')?.[0];
  if (!admin) throw new Error(`${csvPath} has no admin token; remove it to have a new one made`);
  return { admin, components: readFileSync(componentTokenPath, 'utf8').trim(), csvPath, componentTokenPath };
}

export interface ServingCert {
  certPath: string;
  keyPath: string;
  caData: string; // base64 of the PEM, for the kubeconfig
}

/**
 * kubectl (client-go) sends bearer tokens only over TLS, so the REST face serves HTTPS with
 * a self-signed certificate made once per cluster home; the kubeconfig trusts exactly it.
 */
export async function ensureServingCert(home: Home, ips: string[] = ['127.0.0.1']): Promise<ServingCert> {
  const certPath = home.path('apiserver.crt');
  const keyPath = home.path('apiserver.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const { selfSignedCertificate } = await import('@k8ts/apiserver');
    const pair = selfSignedCertificate({ ips });
    writeFileSync(keyPath, pair.key, { mode: 0o600 });
    writeFileSync(certPath, pair.cert);
  }
  return { certPath, keyPath, caData: Buffer.from(readFileSync(certPath)).toString('base64') };
}
