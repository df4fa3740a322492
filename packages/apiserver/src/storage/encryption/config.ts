// kube-apiserver's --encryption-provider-config: an apiserver.config.k8s.io/v1
// EncryptionConfiguration. Per resource, the first provider (and its first key) encrypts
// writes; every listed provider and key can decrypt reads, so keys rotate by adding a new one
// first, rewriting every object, then removing the old one, as upstream documents.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KeyedProvider, ProviderKind } from './providers.js';

/** One configured provider: identity (plaintext) or keyed ones, each key separately. */
export type ProviderEntry = { kind: 'identity' } | KeyedProvider;

export interface ResourceEncryption {
  /** "secrets", "deployments.apps", "*.apps", "*.*" as written in the file. */
  resources: string[];
  providers: ProviderEntry[];
}

const KEY_SIZES: Record<ProviderKind, number[]> = { aesgcm: [16, 24, 32], aescbc: [16, 24, 32], secretbox: [32] };

function keyedEntries(kind: ProviderKind, cfg: any, where: string): KeyedProvider[] {
  const keys = cfg?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${where}.${kind}.keys: at least one key is required`);
  const names = new Set<string>();
  return keys.map((k: any, i: number) => {
    const at = `${where}.${kind}.keys[${i}]`;
    if (typeof k?.name !== 'string' || !k.name || k.name.includes(':')) throw new Error(`${at}.name: a name without ':' is required`);
    if (names.has(k.name)) throw new Error(`${at}.name: duplicate key name ${JSON.stringify(k.name)}`);
    names.add(k.name);
    const key = Buffer.from(typeof k.secret === 'string' ? k.secret : '', 'base64');
    if (!KEY_SIZES[kind].includes(key.length)) throw new Error(`${at}.secret: a base64 key of ${KEY_SIZES[kind].join(', ')} bytes is required for ${kind}`);
    return { kind, keyName: k.name, key };
  });
}

export function parseEncryptionConfig(text: string): ResourceEncryption[] {
  const doc = parse(text) as any;
  if (doc?.kind !== 'EncryptionConfiguration' || doc?.apiVersion !== 'apiserver.config.k8s.io/v1') throw new Error('encryption config: expected kind EncryptionConfiguration, apiVersion apiserver.config.k8s.io/v1');
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) throw new Error('encryption config: resources must be a non-empty list');
  return doc.resources.map((r: any, i: number): ResourceEncryption => {
    const where = `resources[${i}]`;
    if (!Array.isArray(r?.resources) || !r.resources.every((x: unknown) => typeof x === 'string' && x)) throw new Error(`${where}.resources: a list of resource names is required`);
    if (!Array.isArray(r.providers) || r.providers.length === 0) throw new Error(`${where}.providers: at least one provider is required`);
    const providers: ProviderEntry[] = [];
    r.providers.forEach((p: any, j: number) => {
      const kinds = Object.keys(p ?? {});
      if (kinds.length !== 1) throw new Error(`${where}.providers[${j}]: exactly one provider type is required`);
      const kind = kinds[0];
      if (kind === 'identity') providers.push({ kind: 'identity' });
      else if (kind === 'aesgcm' || kind === 'aescbc' || kind === 'secretbox') providers.push(...keyedEntries(kind, p[kind], `${where}.providers[${j}]`));
      else throw new Error(`${where}.providers[${j}]: provider ${JSON.stringify(kind)} is not supported (aesgcm, aescbc, secretbox, identity)`);
    });
    return { resources: r.resources, providers };
  });
}

export function loadEncryptionConfig(path: string): ResourceEncryption[] {
  return parseEncryptionConfig(readFileSync(path, 'utf8'));
}
