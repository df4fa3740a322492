// kubectl sends bearer tokens only over TLS (client-go drops credentials for http://
// servers), so the REST face serves HTTPS when given a key pair. A self-signed pair for
// development and tests is made with the openssl command.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsKeyPair {
  key: string;
  cert: string;
}

/** A self-signed certificate for the given IPs and DNS names (CA and serving cert in one). */
export function selfSignedCertificate(opts: { ips?: string[]; dnsNames?: string[]; days?: number; commonName?: string } = {}): TlsKeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-tls-'));
  try {
    const ips = opts.ips ?? ['127.0.0.1'];
    const dns = opts.dnsNames ?? ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];
    const san = [...ips.map((i) => `IP:${i}`), ...dns.map((d) => `DNS:${d}`)].join(',');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', String(opts.days ?? 365), '-subj', `/CN=${opts.commonName ?? 'k8ts-apiserver'}`,
      '-addext', `subjectAltName=${san}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ], { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
