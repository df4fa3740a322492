// Projected and downwardAPI volumes, as the kubelet writes them: files from ConfigMaps,
// Secrets, the pod's own fields and service account tokens requested through TokenRequest
// bound to the pod. A token is rewritten (atomically: a rename inside the mounted folder) at
// 80 % of its life, as kubelet's token manager refreshes it.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Pod } from '@k8ts/api';
import { ConfigError, type ObjectLookup } from './config-error.js';
import { fieldRefValue } from './env.js';

/** Refresh timers per pod uid; stopped when the pod's folder is removed. */
const refreshers = new Map<string, Set<NodeJS.Timeout>>();
/** Retry a failed refresh after this long (the old token stays until it expires). */
const RETRY_MS = 10_000;
const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

type File = { path: string; data: Buffer; mode: number };

function safeRelative(p: string): string {
  const n = normalize(p);
  if (!p || n.startsWith('..') || n.startsWith('/')) throw new ConfigError(`invalid path ${p}: must be relative and may not contain '..'`);
  return n;
}

function writeAtomic(dir: string, f: File): void {
  const p = join(dir, safeRelative(f.path));
  mkdirSync(dirname(p), { recursive: true });
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, f.data);
  chmodSync(tmp, f.mode);
  renameSync(tmp, p);
}

function keyed(files: Record<string, Buffer>, items: Array<{ key: string; path: string; mode?: number }> | undefined, mode: number, optional: boolean, what: string): File[] {
  if (!items?.length) return Object.entries(files).map(([k, data]) => ({ path: k, data, mode }));
  const out: File[] = [];
  for (const it of items) {
    if (!(it.key in files)) {
      if (optional) continue;
      throw new ConfigError(`${what} references non-existent key: ${it.key}`);
    }
    out.push({ path: it.path, data: files[it.key], mode: it.mode ?? mode });
  }
  return out;
}

function downwardFiles(pod: Pod, items: any[] | undefined, mode: number): File[] {
  const facts = { podIP: pod.status?.podIP ?? '', hostIP: pod.status?.hostIP ?? '', nodeName: pod.spec?.nodeName ?? '' };
  return (items ?? []).map((it) => {
    if (!it?.fieldRef?.fieldPath) throw new ConfigError(`downwardAPI item ${it?.path}: only fieldRef is supported`);
    return { path: it.path, data: Buffer.from(fieldRefValue(pod, it.fieldRef.fieldPath, facts)), mode: it.mode ?? mode };
  });
}

/**
 * The ConfigMap; kube-root-ca.crt, which the controller-manager publishes into a namespace
 * moments after it is made, is waited for up to 2 s so a pod in a new namespace does not
 * start its volume back-off over a race.
 */
async function configMapSoon(lookup: ObjectLookup, ns: string, name: string) {
  for (let i = 0; ; i++) {
    const cm = await lookup.configMap(ns, name);
    if (cm || name !== ROOT_CA_CONFIGMAP || i >= 10) return cm;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Writes a downwardAPI volume into `dir`. */
export function writeDownwardAPI(pod: Pod, dir: string, source: { items?: any[]; defaultMode?: number }): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of downwardFiles(pod, source.items, source.defaultMode ?? 0o644)) writeAtomic(dir, f);
}

interface TokenSource {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

/** Writes a projected volume into `dir`; service account tokens are then kept fresh until the pod's folder goes. */
export async function writeProjected(pod: Pod, dir: string, projected: { sources?: any[]; defaultMode?: number }, lookup: ObjectLookup): Promise<void> {
  const ns = pod.metadata?.namespace ?? 'default';
  const mode = projected.defaultMode ?? 0o644;
  const files: File[] = [];
  const tokens: TokenSource[] = [];
  for (const src of projected.sources ?? []) {
    if (src?.configMap) {
      const cm = await configMapSoon(lookup, ns, src.configMap.name ?? '');
      if (!cm && !src.configMap.optional) throw new ConfigError(`configmap "${src.configMap.name}" not found`);
      const data: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(v, 'utf8');
      for (const [k, v] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(v, 'base64');
      files.push(...keyed(data, src.configMap.items, mode, !!src.configMap.optional, `configmap ${src.configMap.name}`));
    } else if (src?.secret) {
      const s = await lookup.secret(ns, src.secret.name ?? '');
      if (!s && !src.secret.optional) throw new ConfigError(`secret "${src.secret.name}" not found`);
      const data: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(s?.data ?? {})) data[k] = Buffer.from(v, 'base64');
      files.push(...keyed(data, src.secret.items, mode, !!src.secret.optional, `secret ${src.secret.name}`));
    } else if (src?.downwardAPI) {
      files.push(...downwardFiles(pod, src.downwardAPI.items, mode));
    } else if (src?.serviceAccountToken) {
      tokens.push(src.serviceAccountToken);
    }
  }
  const minted = await Promise.all(tokens.map((t) => requestToken(pod, t, lookup)));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeAtomic(dir, f);
  tokens.forEach((t, i) => {
    writeAtomic(dir, { path: t.path, data: Buffer.from(minted[i].token), mode });
    scheduleRefresh(pod, dir, t, mode, lookup, minted[i].expirationTimestamp);
  });
  chmodSync(dir, 0o755);
}

async function requestToken(pod: Pod, t: TokenSource, lookup: ObjectLookup): Promise<{ token: string; expirationTimestamp: string }> {
  if (!lookup.serviceAccountToken) throw new ConfigError('service account tokens cannot be requested by this node');
  const m = pod.metadata ?? {};
  try {
    return await lookup.serviceAccountToken(m.namespace ?? 'default', pod.spec?.serviceAccountName || 'default', {
      ...(t.audience ? { audiences: [t.audience] } : {}),
      expirationSeconds: t.expirationSeconds ?? 3600,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: m.name ?? '', uid: m.uid ?? '' },
    });
  } catch (e) {
    throw new ConfigError(`failed to fetch token: ${(e as Error).message}`);
  }
}

function scheduleRefresh(pod: Pod, dir: string, t: TokenSource, mode: number, lookup: ObjectLookup, expiration: string): void {
  const uid = pod.metadata?.uid ?? '';
  const lifeMs = Date.parse(expiration) - Date.now();
  const delay = Number.isFinite(lifeMs) ? Math.max(1000, Math.floor(lifeMs * 0.8)) : RETRY_MS;
  arm(uid, delay, async () => {
    try {
      const fresh = await requestToken(pod, t, lookup);
      if (!refreshers.has(uid)) return; // the pod went while we asked
      writeAtomic(dir, { path: t.path, data: Buffer.from(fresh.token), mode });
      scheduleRefresh(pod, dir, t, mode, lookup, fresh.expirationTimestamp);
    } catch {
      if (refreshers.has(uid)) arm(uid, RETRY_MS, () => scheduleRefresh(pod, dir, t, mode, lookup, new Date(Date.now()).toISOString()));
    }
  });
}

function arm(uid: string, delayMs: number, fn: () => unknown): void {
  let set = refreshers.get(uid);
  if (!set) refreshers.set(uid, (set = new Set()));
  const timer = setTimeout(() => {
    set!.delete(timer);
    void fn();
  }, Math.min(delayMs, 2 ** 31 - 1));
  timer.unref();
  set.add(timer);
}

/** Stops the pod's token refreshes (its folder is being removed). */
export function stopTokenRefresh(uid: string): void {
  for (const t of refreshers.get(uid) ?? []) clearTimeout(t);
  refreshers.delete(uid);
}
