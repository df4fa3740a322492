// The key that signs service account tokens, made once per cluster home (as kubeadm makes
// sa.key): RSA 2048, PKCS#8 PEM, 0600. The apiserver signs with it and verifies with its
// public half (--service-account-signing-key-file, --service-account-key-file).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { Home } from './home.js';

export function ensureServiceAccountKey(home: Home): string {
  const path = home.path('sa.key');
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return path;
}

/** The apiserver flags for service account tokens, given the key's path. */
export function serviceAccountArgs(keyPath: string): string[] {
  return ['--service-account-signing-key-file', keyPath, '--service-account-key-file', keyPath];
}
