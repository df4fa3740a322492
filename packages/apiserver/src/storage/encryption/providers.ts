// The value transformers of kube-apiserver's EncryptionConfiguration, byte-compatible with
// its storage format: `k8s:enc:<provider>:v1:<key name>:` then the provider's payload.
//   aesgcm:    12-byte nonce, ciphertext, 16-byte tag; the etcd key is authenticated data,
//              so a value copied to another key does not decrypt.
//   aescbc:    16-byte IV, ciphertext with PKCS#7 padding.
//   secretbox: 24-byte nonce, XSalsa20-Poly1305 box (tag first).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

export type ProviderKind = 'aesgcm' | 'aescbc' | 'secretbox';

export interface KeyedProvider {
  kind: ProviderKind;
  keyName: string;
  key: Buffer;
}

export function prefixOf(p: { kind: ProviderKind; keyName: string }): string {
  return `k8s:enc:${p.kind}:v1:${p.keyName}:`;
}

export function seal(p: KeyedProvider, etcdKey: string, plain: Buffer): Buffer {
  const prefix = Buffer.from(prefixOf(p));
  switch (p.kind) {
    case 'aesgcm': {
      const nonce = randomBytes(12);
      const c = createCipheriv(`aes-${p.key.length * 8}-gcm` as 'aes-256-gcm', p.key, nonce);
      c.setAAD(Buffer.from(etcdKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([prefix, nonce, body, c.getAuthTag()]);
    }
    case 'aescbc': {
      const iv = randomBytes(16);
      const c = createCipheriv(`aes-${p.key.length * 8}-cbc`, p.key, iv);
      return Buffer.concat([prefix, iv, c.update(plain), c.final()]);
    }
    case 'secretbox': {
      const nonce = randomBytes(24);
      return Buffer.concat([prefix, nonce, Buffer.from(nacl.secretbox(plain, nonce, p.key))]);
    }
  }
}

/** The plaintext, or undefined when the payload does not authenticate with this key. */
export function open(p: KeyedProvider, etcdKey: string, payload: Buffer): Buffer | undefined {
  try {
    switch (p.kind) {
      case 'aesgcm': {
        if (payload.length < 28) return undefined;
        const d = createDecipheriv(`aes-${p.key.length * 8}-gcm` as 'aes-256-gcm', p.key, payload.subarray(0, 12));
        d.setAAD(Buffer.from(etcdKey));
        d.setAuthTag(payload.subarray(payload.length - 16));
        return Buffer.concat([d.update(payload.subarray(12, payload.length - 16)), d.final()]);
      }
      case 'aescbc': {
        if (payload.length < 32) return undefined;
        const d = createDecipheriv(`aes-${p.key.length * 8}-cbc`, p.key, payload.subarray(0, 16));
        return Buffer.concat([d.update(payload.subarray(16)), d.final()]);
      }
      case 'secretbox': {
        if (payload.length < 24 + nacl.secretbox.overheadLength) return undefined;
        const out = nacl.secretbox.open(payload.subarray(24), payload.subarray(0, 24), p.key);
        return out ? Buffer.from(out) : undefined;
      }
    }
  } catch {
    return undefined;
  }
}
