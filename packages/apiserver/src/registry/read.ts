// Reads: get, list (paged, filtered, at a revision) and watch.
import { apiVersionOf, type KubeList, type KubeObject, type WatchEvent } from '@k8ts/api';
import type { WatchOptions } from '@k8ts/client';
import type { RegistryWatch } from './types.js';
import type { RegistryCore } from './core.js';
import { isFutureRevisionError } from '../storage/store.js';
import { LIST_TOO_OLD, planListRead, tooLargeResourceVersion, type RegistryListOptions } from './list-options.js';
import { listPrefix, objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { compileFilter } from './api-calls.js';

export async function get(reg: RegistryCore, resource: string, namespace: string, name: string): Promise<KubeObject> {
  const info = reg.resourceInfo(resource, false, true);
  const ns = reg.scope(info, namespace);
  if (info.computed) {
    const source = reg.computed.get(resource);
    const found = source?.get(ns, name);
    if (!found) throw source?.notFound(ns, name) ?? errs.notFound(resource, name);
    return found;
  }
  const obj = await reg.store.get(objectKey(resource, ns, name));
  if (!obj) throw errs.notFound(resource, name);
  return obj;
}

export async function list(reg: RegistryCore, resource: string, opts: RegistryListOptions): Promise<KubeList> {
  const info = reg.resourceInfo(resource, false, true);
  const read = planListRead(opts);
  const filter = compileFilter(resource, opts.labelSelector, opts.fieldSelector, reg.logger);
  if (info.computed) {
    const all = reg.computed.get(resource)?.list(info.namespaced ? opts.namespace || undefined : undefined) ?? [];
    return { apiVersion: apiVersionOf(info), kind: info.listKind, metadata: {}, items: all.filter((o) => filter.matches(o)) };
  }
  // The shared watch starts before the read, so a watch from this list's revision is
  // served from memory.
  await reg.watches.hub(info).ensureStarted();
  const prefix = listPrefix(resource, info.namespaced ? opts.namespace : undefined);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  const items: KubeObject[] = [];
  let cont = opts.continue;
  let revision = read.revision;
  let next: string | undefined;
  let remaining: number | undefined;
  // With a selector a page may filter down to fewer than `limit`: read on at the same
  // revision until the page is full or the range is done, as the etcd3 store does.
  for (;;) {
    const want = limit ? limit - items.length : 0;
    let page;
    try {
      page = await reg.store.list(prefix, { limit: want, continue: cont, revision, compactedMessage: LIST_TOO_OLD });
    } catch (err) {
      if (isFutureRevisionError(err)) throw tooLargeResourceVersion(Number(revision), Number(await reg.store.currentRevision()));
      throw err;
    }
    if (read.minimum !== undefined && Number(page.revision) < read.minimum) throw tooLargeResourceVersion(read.minimum, Number(page.revision));
    revision = page.revision;
    for (const it of page.items) if (filter.matches(it)) items.push(it);
    next = page.continue;
    remaining = page.remainingItemCount;
    if (!next || !limit || items.length >= limit) break;
    cont = next;
  }
  const listMeta: Record<string, unknown> = { resourceVersion: revision };
  if (next) {
    listMeta.continue = next;
    if (filter.everything && remaining !== undefined) listMeta.remainingItemCount = remaining;
  }
  return { apiVersion: apiVersionOf(info), kind: info.listKind, metadata: listMeta, items };
}

export function watch(reg: RegistryCore, resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatch {
  const info = reg.resourceInfo(resource);
  return reg.watches.watch(info, info.namespaced ? opts.namespace ?? '' : '', opts, onEvent);
}
