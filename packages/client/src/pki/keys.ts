// Key pairs for the cluster's certificates: made by node:crypto (fast, native), handed to
// node-forge as PEM for signing. RSA 2048: every TLS stack here (Node, grpc-js, Go's
// client-go in kubectl) takes it, and forge signs with it.
import { generateKeyPairSync } from 'node:crypto';
import type forge from 'node-forge';
import { nodeForge } from './forge.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    // PKCS#1 ("RSA PRIVATE KEY"): forge's privateKeyFromPem reads it, and so do Node and Go.
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export function forgePrivateKey(pem: string): forge.pki.rsa.PrivateKey {
  return nodeForge().pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
}

export function forgePublicKey(pem: string): forge.pki.rsa.PublicKey {
  return nodeForge().pki.publicKeyFromPem(pem) as forge.pki.rsa.PublicKey;
}
