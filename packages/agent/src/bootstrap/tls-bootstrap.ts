// Kubelet TLS bootstrap for the agent: with a bootstrap token and a cert dir, an agent that
// has no valid client certificate for its node makes a key (0600), asks for a certificate
// for system:node:<name> in system:nodes through a CertificateSigningRequest
// (kubernetes.io/kube-apiserver-client-kubelet), waits until the controller-manager approved
// and signed it, and writes it beside the key. A certificate already there that is still
// valid, matches the key, names this node and (given the CA) chains to it, is reused, so a
// restart asks for nothing. The key waits in a pending file while the CSR is open, so an
// agent restarted mid-way picks up the same CSR instead of making another.
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlreadyExists, certificateInfo, certificateMatches, createCsr, createKeyAndCsr, type Client, type Logger } from '@k8ts/client';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const CERT_FILE = 'k8ts-agent-client.crt';
const KEY_FILE = 'k8ts-agent-client.key';
const PENDING_KEY_FILE = 'k8ts-agent-client-pending.key';

export interface TlsBootstrapOptions {
  nodeName: string;
  certDir: string;
  /** The client authenticated by the bootstrap token. */
  client: Client;
  /** The cluster CA (PEM): a certificate found in certDir must chain to it to be reused. */
  caPem?: string;
  /** Give up waiting for the certificate after this long (default 5 minutes). */
  timeoutMs?: number;
  pollMs?: number;
  expirationSeconds?: number;
  log?: Logger;
}

export interface ClientCertificate {
  certFile: string;
  keyFile: string;
  /** True when a valid certificate was already in certDir. */
  reused: boolean;
}

export function clientCertificatePaths(certDir: string): { certFile: string; keyFile: string } {
  return { certFile: path.join(certDir, CERT_FILE), keyFile: path.join(certDir, KEY_FILE) };
}

/** Whether certDir holds a certificate this node can still use. */
export function validClientCertificate(certDir: string, nodeName: string, caPem?: string, now = Date.now()): boolean {
  const { certFile, keyFile } = clientCertificatePaths(certDir);
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  try {
    const certPem = readFileSync(certFile, 'utf8');
    const keyPem = readFileSync(keyFile, 'utf8');
    const info = certificateInfo(certPem);
    if (info.commonName !== `system:node:${nodeName}` || !info.organizations.includes('system:nodes')) return false;
    if (info.notAfter.getTime() <= now + 60_000 || info.notBefore.getTime() > now + 60_000) return false;
    if (caPem) return certificateMatches(certPem, keyPem, caPem);
    return createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }) === createPublicKey(certPem).export({ type: 'spki', format: 'pem' });
  } catch {
    return false;
  }
}

export async function ensureClientCertificate(o: TlsBootstrapOptions): Promise<ClientCertificate> {
  const paths = clientCertificatePaths(o.certDir);
  if (validClientCertificate(o.certDir, o.nodeName, o.caPem)) {
    o.log?.info({ certFile: paths.certFile }, 'using the existing client certificate');
    return { ...paths, reused: true };
  }
  mkdirSync(o.certDir, { recursive: true, mode: 0o700 });
  const pendingKey = path.join(o.certDir, PENDING_KEY_FILE);
  const subject = { commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'] };
  let keyPem: string;
  let csrPem: string;
  if (existsSync(pendingKey)) {
    keyPem = readFileSync(pendingKey, 'utf8');
    csrPem = createCsr(keyPem, subject);
  } else {
    ({ keyPem, csrPem } = createKeyAndCsr(subject));
    writeFileSync(pendingKey, keyPem, { mode: 0o600 });
  }
  const name = csrName(keyPem, o.nodeName);
  await submit(o, name, csrPem);
  o.log?.info({ csr: name }, 'waiting for the client certificate to be approved and issued');
  const certPem = await waitForCertificate(o, name);
  writeFileSync(paths.certFile, certPem, { mode: 0o600 });
  renameSync(pendingKey, paths.keyFile);
  o.log?.info({ certFile: paths.certFile }, 'client certificate issued');
  return { ...paths, reused: false };
}

/** node-csr-<digest of the key and node>: the same pending key finds its CSR again after a restart. */
function csrName(keyPem: string, nodeName: string): string {
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return `node-csr-${createHash('sha256').update(spki).update(nodeName).digest('hex').slice(0, 20)}`;
}

async function submit(o: TlsBootstrapOptions, name: string, csrPem: string): Promise<void> {
  const spec: Record<string, unknown> = {
    request: Buffer.from(csrPem).toString('base64'),
    signerName: KUBELET_CLIENT_SIGNER,
    usages: ['digital signature', 'client auth'],
  };
  if (o.expirationSeconds) spec.expirationSeconds = o.expirationSeconds;
  try {
    await o.client.create('certificatesigningrequests', { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

interface CsrStatus {
  status?: { certificate?: string; conditions?: { type: string; status?: string; reason?: string; message?: string }[] };
}

async function waitForCertificate(o: TlsBootstrapOptions, name: string): Promise<string> {
  const deadline = Date.now() + (o.timeoutMs ?? 5 * 60_000);
  for (;;) {
    const csr = (await o.client.get('certificatesigningrequests', '', name)) as CsrStatus;
    const bad = csr.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False');
    if (bad) throw new Error(`certificate signing request ${name} was ${bad.type.toLowerCase()}: ${bad.reason ?? ''} ${bad.message ?? ''}`.trim());
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline) throw new Error(`timed out waiting for certificate signing request ${name} to be approved and issued`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
}
