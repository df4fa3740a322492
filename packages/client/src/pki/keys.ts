// Key pairs for the cluster's certificates: made by node:crypto (fast, native), handed to
// node-forge as PEM for signing. RSA 2048: every TLS stack here (Node, grpc-js, Go's
// client-go in kubectl) takes it, and forge signs with it.
import { generateKeyPair as generateKeyPairAsync, generateKeyPairSync, type RSAKeyPairOptions } from 'node:crypto';
import type forge from 'node-forge';
import { nodeForge } from './forge.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

const RSA_OPTIONS: RSAKeyPairOptions<'pem', 'pem'> = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  // PKCS#1 ("RSA PRIVATE KEY"): forge's privateKeyFromPem reads it, and so do Node and Go.
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
};

/** Key pairs made ahead by prefetchKeyPairs, each handed out once. */
const made: KeyPairPem[] = [];

export function generateKeyPair(): KeyPairPem {
  const ready = made.pop();
  if (ready) return ready;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', RSA_OPTIONS);
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * Makes `n` key pairs at once on libuv's threads, for the generateKeyPair calls that follow.
 * An RSA 2048 key is ≈ 0.3 s of CPU: a fresh `k8ts up` needs 15, which one after another on
 * the main thread were most of its CPU before the first process started; in parallel they
 * use every core and overlap what `up` does meanwhile (its preflight's commands).
 */
export async function prefetchKeyPairs(n: number): Promise<void> {
  const pairs = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<KeyPairPem>((resolve, reject) =>
        generateKeyPairAsync('rsa', RSA_OPTIONS, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ privateKeyPem: privateKey, publicKeyPem: publicKey }))),
      ),
    ),
  );
  made.push(...pairs);
}

export function forgePrivateKey(pem: string): forge.pki.rsa.PrivateKey {
  return nodeForge().pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
}

export function forgePublicKey(pem: string): forge.pki.rsa.PublicKey {
  return nodeForge().pki.publicKeyFromPem(pem) as forge.pki.rsa.PublicKey;
}
