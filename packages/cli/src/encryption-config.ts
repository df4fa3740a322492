// Encryption at rest for the cluster: an EncryptionConfiguration made once per cluster home
// (0600) with a random secretbox key for Secrets, plus identity so values written before it
// existed still read. Rotating: add a new key first, restart, rewrite every Secret.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { Home } from './home.js';

export function ensureEncryptionConfig(home: Home): string {
  const path = home.path('encryption-config.yaml');
  if (!existsSync(path)) {
    const key = randomBytes(32).toString('base64');
    writeFileSync(
      path,
      `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - secretbox:
      keys:
      - name: key1
        secret: ${key}
  - identity: {}
`,
      { mode: 0o600 },
    );
  }
  return path;
}
