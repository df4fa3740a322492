// Patch application for FakeClient: JSON merge patch (RFC 7386), a strategic merge patch
// covering the list merge keys controllers patch in practice, and JSON patch (RFC 6902).
import type { KubeObject } from '@k8ts/api';
import type { PatchType } from './types.js';
import { ApiError } from './types.js';

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function patchError(code: 400 | 422, message: string): ApiError {
  const reason = code === 400 ? 'BadRequest' : 'Invalid';
  return new ApiError(code, reason, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// patchMergeKey of the lists Kubernetes merges (others are replaced, as in SMP).
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  hostAliases: 'ip',
  addresses: 'type',
  taints: 'key',
};
const primitiveMergeLists = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = mergeKeys[field];
    if (key && Array.isArray(target) && patch.every(isObj)) {
      const out = target.map((x) => structuredClone(x)) as Record<string, unknown>[];
      for (const item of patch as Record<string, unknown>[]) {
        const idx = out.findIndex((x) => isObj(x) && x[key] === item[key]);
        if (item['$patch'] === 'delete') {
          if (idx >= 0) out.splice(idx, 1);
        } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item) as Record<string, unknown>;
        else out.push(strategicMergePatch(undefined, item) as Record<string, unknown>);
      }
      return out;
    }
    if (primitiveMergeLists.has(field) && Array.isArray(target)) {
      return [...target, ...patch.filter((x) => !target.includes(x))];
    }
    return structuredClone(patch);
  }
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder') || k === '$retainKeys') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as unknown[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(400, `invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw patchError(400, 'json patch must be an array of operations');
  let root = structuredClone(doc);
  const parentOf = (path: string[]): [any, string] => {
    let cur: any = root;
    for (const p of path.slice(0, -1)) {
      if (cur == null || typeof cur !== 'object' || !(p in cur)) throw patchError(422, `doc is missing path: /${path.join('/')}`);
      cur = cur[p];
    }
    return [cur, path[path.length - 1]!];
  };
  const getAt = (path: string[]): unknown => {
    let cur: any = root;
    for (const p of path) {
      if (cur == null || typeof cur !== 'object' || !(p in cur)) throw patchError(422, `doc is missing path: /${path.join('/')}`);
      cur = cur[p];
    }
    return cur;
  };
  const remove = (path: string[]) => {
    const [parent, last] = parentOf(path);
    if (parent == null || typeof parent !== 'object' || !(last in parent)) throw patchError(422, `doc is missing path: /${path.join('/')}`);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  };
  const add = (path: string[], value: unknown) => {
    if (path.length === 0) {
      root = structuredClone(value);
      return;
    }
    const [parent, last] = parentOf(path);
    if (Array.isArray(parent)) {
      if (last === '-') parent.push(structuredClone(value));
      else parent.splice(Number(last), 0, structuredClone(value));
    } else if (parent && typeof parent === 'object') parent[last] = structuredClone(value);
    else throw patchError(422, `doc is missing path: /${path.join('/')}`);
  };
  for (const op of ops as Record<string, any>[]) {
    const path = pointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        add(path, op.value);
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        getAt(path);
        remove(path);
        add(path, op.value);
        break;
      case 'test':
        if (JSON.stringify(getAt(path)) !== JSON.stringify(op.value)) throw patchError(422, `testing value /${path.join('/')} failed`);
        break;
      case 'move':
      case 'copy': {
        const from = pointer(String(op.from ?? ''));
        const v = structuredClone(getAt(from));
        if (op.op === 'move') remove(from);
        add(path, v);
        break;
      }
      default:
        throw patchError(400, `unexpected kind of operation: ${op.op}`);
    }
  }
  return root;
}

/** Applies a patch of the given type to `obj`; throws ApiError 400/422 (415 for apply patches). */
export function applyPatchLocal(obj: KubeObject, patchType: PatchType, patch: unknown): KubeObject {
  let p = patch;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch (e) {
      throw patchError(400, `error decoding patch: ${(e as Error).message}`);
    }
  }
  switch (patchType) {
    case 'application/merge-patch+json':
      if (!isObj(p)) throw patchError(400, 'merge patch must be a JSON object');
      return mergePatch(obj, p) as KubeObject;
    case 'application/strategic-merge-patch+json':
      if (!isObj(p)) throw patchError(400, 'strategic merge patch must be a JSON object');
      return strategicMergePatch(obj, p) as KubeObject;
    case 'application/json-patch+json':
      return jsonPatch(obj, p) as KubeObject;
    default:
      throw new ApiError(415, 'UnsupportedMediaType', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
        reason: 'UnsupportedMediaType',
        code: 415,
      });
  }
}
