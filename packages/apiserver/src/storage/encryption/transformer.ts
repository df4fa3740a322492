// Applies the EncryptionConfiguration to etcd values by key: `/registry/<resource>/…` finds
// its resource's providers (first matching entry, as upstream); values of resources no entry
// names pass through unchanged.
import { findResource } from '@k8ts/api';
import { REGISTRY_PREFIX } from '../keys.js';
import type { ResourceEncryption, ProviderEntry } from './config.js';
import { open, prefixOf, seal } from './providers.js';

const ENC_PREFIX = 'k8s:enc:';

export class EncryptionError extends Error {}

export interface ReadValue {
  value: Buffer;
  /** Read with a key or provider other than the one writes use: a rewrite would re-encrypt it. */
  stale: boolean;
}

export class ValueTransformer {
  private readonly byResource = new Map<string, ProviderEntry[] | null>();

  constructor(private readonly config: ResourceEncryption[]) {}

  private providersFor(etcdKey: string): ProviderEntry[] | null {
    if (!etcdKey.startsWith(REGISTRY_PREFIX)) return null;
    const resource = etcdKey.slice(REGISTRY_PREFIX.length, etcdKey.indexOf('/', REGISTRY_PREFIX.length));
    let hit = this.byResource.get(resource);
    if (hit !== undefined) return hit;
    const group = findResource(resource)?.group ?? '';
    const names = [group ? `${resource}.${group}` : resource, group ? `*.${group}` : '*.', '*.*'];
    hit = this.config.find((c) => c.resources.some((r) => names.includes(r)))?.providers ?? null;
    this.byResource.set(resource, hit);
    return hit;
  }

  /** Whether values under this key are transformed at all (a fast path for everything else). */
  applies(etcdKey: string): boolean {
    return this.providersFor(etcdKey) !== null;
  }

  toStorage(etcdKey: string, plain: Buffer): Buffer {
    const ps = this.providersFor(etcdKey);
    if (!ps) return plain;
    const first = ps[0];
    return first.kind === 'identity' ? plain : seal(first, etcdKey, plain);
  }

  fromStorage(etcdKey: string, stored: Buffer): ReadValue {
    const ps = this.providersFor(etcdKey);
    if (!ps) return { value: stored, stale: false };
    if (stored.subarray(0, ENC_PREFIX.length).toString('latin1') !== ENC_PREFIX) {
      const i = ps.findIndex((p) => p.kind === 'identity');
      if (i < 0) throw new EncryptionError(`no matching prefix found: ${etcdKey} is not encrypted and identity is not a provider`);
      return { value: stored, stale: i !== 0 };
    }
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      if (p.kind === 'identity') continue;
      const prefix = prefixOf(p);
      if (stored.subarray(0, prefix.length).toString('latin1') !== prefix) continue;
      const plain = open(p, etcdKey, stored.subarray(prefix.length));
      if (!plain) throw new EncryptionError(`${etcdKey}: the value does not decrypt with key ${JSON.stringify(p.keyName)} (${p.kind})`);
      return { value: plain, stale: i !== 0 };
    }
    throw new EncryptionError(`${etcdKey}: no configured key matches ${JSON.stringify(stored.subarray(0, 48).toString('latin1').split(':').slice(0, 5).join(':'))}`);
  }
}
