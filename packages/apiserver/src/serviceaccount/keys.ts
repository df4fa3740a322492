// The service account token keys, as kube-apiserver reads them: one private key signs
// (--service-account-signing-key-file); every public key of --service-account-key-file (and
// the signing key's own) verifies, so a key can be rotated by listing the old one there.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
  /** JWS alg this key verifies: RS256 for RSA, ES256/ES384/ES512 for EC curves. */
  alg: string;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

/** Kubernetes' key id: the unpadded base64url SHA-256 of the public key's DER (PKIX). */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function algOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`service account keys must be RSA or ECDSA (P-256, P-384, P-521), not ${key.asymmetricKeyType}`);
}

function verificationKey(publicKey: KeyObject): VerificationKey {
  return { kid: keyId(publicKey), key: publicKey, alg: algOf(publicKey) };
}

export function signingKeyFromPem(pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem);
  const pub = createPublicKey(privateKey);
  return { ...verificationKey(pub), privateKey };
}

/** Every public key in a PEM file: PUBLIC KEY / RSA PUBLIC KEY blocks, certificates' keys, and private keys' public halves. */
export function publicKeysFromPem(text: string): VerificationKey[] {
  const keys: VerificationKey[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const block = m[0];
    const type = m[1];
    if (type.endsWith('PRIVATE KEY')) keys.push(verificationKey(createPublicKey(createPrivateKey(block))));
    else if (type.endsWith('PUBLIC KEY') || type === 'CERTIFICATE') keys.push(verificationKey(createPublicKey(block)));
  }
  return keys;
}

export interface ServiceAccountKeys {
  signing?: SigningKey;
  verifying: VerificationKey[];
}

/** Reads the flags' files; the signing key's public half always verifies. Throws on a file without keys. */
export function loadServiceAccountKeys(signingKeyFile?: string, keyFiles: string[] = []): ServiceAccountKeys {
  const signing = signingKeyFile ? signingKeyFromPem(readFileSync(signingKeyFile)) : undefined;
  const verifying: VerificationKey[] = signing ? [{ kid: signing.kid, key: signing.key, alg: signing.alg }] : [];
  for (const f of keyFiles) {
    const keys = publicKeysFromPem(readFileSync(f, 'utf8'));
    if (!keys.length) throw new Error(`--service-account-key-file ${f}: no public or private key in it`);
    for (const k of keys) if (!verifying.some((v) => v.kid === k.kid)) verifying.push(k);
  }
  return { signing, verifying };
}
