// What the compose cluster's one-shot `init` service makes (see init-main.ts).
import { mkdirSync } from 'node:fs';
import { Home } from '../home.js';
import { ensureServingCert, ensureTokens } from '../tokens.js';
import { ensureEncryptionConfig } from '../encryption-config.js';
import { ensureAdmissionConfig } from '../admission-config.js';
import { ensureServiceAccountKey } from '../service-account-key.js';

export async function composeInit(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const home = new Home(dir);
  const t = ensureTokens(home);
  // Published on 127.0.0.1 only; kubectl checks the address it dials against these.
  await ensureServingCert(home, ['127.0.0.1']);
  ensureEncryptionConfig(home);
  ensureAdmissionConfig(home);
  ensureServiceAccountKey(home);
  console.log(`tokens and serving certificate ready in ${dir} (admin token ${t.admin.slice(0, 6)}…)`);
}
