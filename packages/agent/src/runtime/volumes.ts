// Pod volumes as host folders under the agent's state dir, bind-mounted into containers.
// emptyDir lives as long as the pod; configMap and secret volumes are files written from
// the API objects and mounted read-only; hostPath is the host's own path.
import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Container, Pod } from '@k8ts/api';
import { ConfigError, type ObjectLookup } from './config-error.js';
import { claimVolumePath } from './claim-volumes.js';
import { stopTokenRefresh, writeDownwardAPI, writeProjected } from './projected.js';

export interface PreparedVolume {
  hostPath: string;
  readOnly: boolean; // forced read-only (configMap, secret)
}

export function podDir(stateDir: string, uid: string): string {
  return join(stateDir, 'pods', uid);
}

function safeRelative(p: string): string {
  const n = normalize(p);
  if (n.startsWith('..') || n.startsWith('/')) throw new ConfigError(`invalid path ${p}: must be relative and may not contain '..'`);
  return n;
}

function writeFiles(dir: string, files: Record<string, Buffer>, items: Array<{ key: string; path: string; mode?: number }> | undefined, defaultMode: number, what: string, optional: boolean): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entries = items?.length
    ? items.map((it) => {
        if (!(it.key in files)) {
          if (optional) return undefined;
          throw new ConfigError(`configmap references non-existent config key: ${it.key} (${what})`);
        }
        return [safeRelative(it.path), files[it.key], it.mode ?? defaultMode] as const;
      })
    : Object.entries(files).map(([k, v]) => [k, v, defaultMode] as const);
  for (const e of entries) {
    if (!e) continue;
    const [rel, data, mode] = e;
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    chmodSync(p, mode);
  }
  chmodSync(dir, 0o755);
}

/** Creates or refreshes every volume of the pod on the host; throws ConfigError when a
 * referenced ConfigMap or Secret is missing (and not optional). */
export async function prepareVolumes(pod: Pod, stateDir: string, lookup: ObjectLookup): Promise<Map<string, PreparedVolume>> {
  const uid = pod.metadata?.uid ?? '';
  const ns = pod.metadata?.namespace ?? 'default';
  const base = join(podDir(stateDir, uid), 'volumes');
  const out = new Map<string, PreparedVolume>();
  stopTokenRefresh(uid); // written again below, with fresh tokens
  for (const v of pod.spec?.volumes ?? []) {
    if (v.emptyDir) {
      const dir = join(base, 'empty-dir', v.name);
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      out.set(v.name, { hostPath: dir, readOnly: false });
    } else if (v.hostPath) {
      const t = v.hostPath.type ?? '';
      if (t === 'DirectoryOrCreate') mkdirSync(v.hostPath.path, { recursive: true });
      else if (t === 'FileOrCreate' && !existsSync(v.hostPath.path)) {
        mkdirSync(dirname(v.hostPath.path), { recursive: true });
        writeFileSync(v.hostPath.path, '');
      } else if ((t === 'Directory' || t === 'File') && !existsSync(v.hostPath.path)) {
        throw new ConfigError(`hostPath type check failed: ${v.hostPath.path} is not a ${t.toLowerCase()}`);
      }
      out.set(v.name, { hostPath: v.hostPath.path, readOnly: false });
    } else if (v.configMap) {
      const cm = await lookup.configMap(ns, v.configMap.name ?? '');
      if (!cm && !v.configMap.optional) throw new ConfigError(`configmap "${v.configMap.name}" not found`);
      const files: Record<string, Buffer> = {};
      for (const [k, val] of Object.entries(cm?.data ?? {})) files[k] = Buffer.from(val, 'utf8');
      for (const [k, val] of Object.entries(cm?.binaryData ?? {})) files[k] = Buffer.from(val, 'base64');
      const dir = join(base, 'configmap', v.name);
      writeFiles(dir, files, v.configMap.items, v.configMap.defaultMode ?? 0o644, `configmap ${v.configMap.name}`, !!v.configMap.optional);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.secret) {
      const s = await lookup.secret(ns, v.secret.secretName ?? '');
      if (!s && !v.secret.optional) throw new ConfigError(`secret "${v.secret.secretName}" not found`);
      const files: Record<string, Buffer> = {};
      for (const [k, val] of Object.entries(s?.data ?? {})) files[k] = Buffer.from(val, 'base64');
      for (const [k, val] of Object.entries(s?.stringData ?? {})) files[k] = Buffer.from(val, 'utf8');
      const dir = join(base, 'secret', v.name);
      writeFiles(dir, files, v.secret.items, v.secret.defaultMode ?? 0o644, `secret ${v.secret.secretName}`, !!v.secret.optional);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.projected) {
      const dir = join(base, 'projected', v.name);
      await writeProjected(pod, dir, v.projected, lookup);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.persistentVolumeClaim) {
      const hostPath = await claimVolumePath(ns, v.persistentVolumeClaim.claimName, lookup);
      out.set(v.name, { hostPath, readOnly: !!v.persistentVolumeClaim.readOnly });
    } else if (v.downwardAPI) {
      const dir = join(base, 'downward-api', v.name);
      writeDownwardAPI(pod, dir, v.downwardAPI);
      out.set(v.name, { hostPath: dir, readOnly: true });
    } else {
      // Volume kinds this node cannot provide (CSI, cloud disks…) become empty folders so the
      // pod still runs, as a best effort.
      const dir = join(base, 'other', v.name);
      mkdirSync(dir, { recursive: true });
      out.set(v.name, { hostPath: dir, readOnly: false });
    }
  }
  return out;
}

/** Docker Binds for a container's volumeMounts. */
export function bindsFor(container: Container, volumes: Map<string, PreparedVolume>): string[] {
  const binds: string[] = [];
  for (const m of container.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new ConfigError(`volume "${m.name}" not found in the pod's volumes`);
    let src = v.hostPath;
    if (m.subPath) src = resolveSubPath(src, m.subPath, m.name);
    const ro = v.readOnly || m.readOnly;
    binds.push(`${src}:${m.mountPath}${ro ? ':ro' : ''}`);
  }
  return binds;
}

/**
 * The host path of a mount's subPath inside its volume, walked one component at a time
 * without following symlinks: a container can create a symlink in a volume it writes, and a
 * bind mount of that link would be resolved by Docker on the host (CVE-2017-1002101). A
 * missing component is created as a directory, as the kubelet does. (The kubelet also closes
 * the window between this check and the mount by mounting an open file descriptor; the agent
 * cannot, as under compose its mounts are not the Docker engine's.)
 */
export function resolveSubPath(volumeRoot: string, subPath: string, volumeName: string): string {
  let cur = volumeRoot;
  for (const part of safeRelative(subPath).split('/')) {
    if (part === '' || part === '.') continue;
    cur = join(cur, part);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      mkdirSync(cur);
      continue;
    }
    if (st.isSymbolicLink()) throw new ConfigError(`failed to prepare subPath for volumeMount "${volumeName}": subPath "${subPath}" goes through the symlink "${cur.slice(volumeRoot.length + 1)}", which is not followed`);
  }
  return cur;
}

export function removePodDir(stateDir: string, uid: string): void {
  if (!uid) return;
  stopTokenRefresh(uid);
  rmSync(podDir(stateDir, uid), { recursive: true, force: true });
}
