// How a joining host comes to trust the cluster, as `kubeadm join` does with
// --discovery-token-ca-cert-hash: the server's TLS handshake is read without trusting it, the
// CA in its chain is kept only if the SHA-256 of its public key (SubjectPublicKeyInfo) is the
// one the join command names, and the server's own certificate must be signed by that CA.
import tls from 'node:tls';
import { X509Certificate, createHash } from 'node:crypto';

/** kubeadm's CA hash: "sha256:" and the hex SHA-256 of the CA's DER SubjectPublicKeyInfo. */
export function caCertHash(caPem: string | Buffer): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** "sha256:<64 hex>", lower-cased; anything else is refused before any connection. */
export function parseCaCertHash(text: string): string {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!m) throw new Error(`--discovery-token-ca-cert-hash must be sha256:<64 hex digits> (as \`k8ts token create --print-join-command\` prints it), not ${JSON.stringify(text)}`);
  return `sha256:${m[1]!.toLowerCase()}`;
}

export function parseServer(text: string): { host: string; port: number } {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || !(port > 0 && port < 65536)) throw new Error(`--server must be HOST:PORT (the apiserver's gRPC address), not ${JSON.stringify(text)}`);
  return { host: m[1]!, port };
}

/** The certificates the server sent, leaf first (DER). */
function peerChain(host: string, port: number, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    // Not trusted yet: only read, then pinned below. h2 so a gRPC server completes the handshake.
    const sock = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], ...(/^[\d.]+$/.test(host) ? {} : { servername: host }) });
    const timer = setTimeout(() => sock.destroy(new Error(`no TLS handshake from ${host}:${port} within ${timeoutMs / 1000}s`)), timeoutMs);
    sock.once('secureConnect', () => {
      const out: Buffer[] = [];
      let c = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      while (c?.raw && !out.some((b) => b.equals(c!.raw))) {
        out.push(c.raw);
        c = c.issuerCertificate;
      }
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the apiserver at ${host}:${port}: ${e.message}`));
    });
  });
}

/** The cluster CA (PEM), found in the server's chain under the pinned hash. */
export async function discoverCa(server: string, pinnedHash: string, timeoutMs = 10_000): Promise<string> {
  const { host, port } = parseServer(server);
  const want = parseCaCertHash(pinnedHash);
  const chain = (await peerChain(host, port, timeoutMs)).map((der) => new X509Certificate(der));
  if (chain.length === 0) throw new Error(`${server} sent no certificate`);
  const ca = chain.find((c) => c.ca && caCertHash(c.toString()) === want);
  if (!ca) {
    const seen = chain.filter((c) => c.ca).map((c) => caCertHash(c.toString()));
    throw new Error(`the CA of ${server} does not match --discovery-token-ca-cert-hash ${want} (it sent ${seen.length ? seen.join(', ') : 'no CA certificate'}): refusing to trust it`);
  }
  if (!chain[0]!.verify(ca.publicKey)) throw new Error(`the certificate of ${server} is not signed by the pinned CA: refusing to trust it`);
  if (!chain[0]!.checkIP(host) && !chain[0]!.checkHost(host)) throw new Error(`the certificate of ${server} is not for ${host}`);
  return ca.toString();
}
