// The four RBAC resources in memory, kept current by the registry's watches (list, then watch
// from the list's revision; on a watch ERROR, list again). Bindings are indexed by subject
// (user name, group name; a ServiceAccount subject is the user
// system:serviceaccount:<ns>:<name>), so a decision reads a handful of maps.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from '../../registry/types.js';
import type { PolicyRule } from './rules.js';

export interface BindingEntry {
  /** resource/namespace/name of the binding, unique. */
  key: string;
  /** The RoleBinding's namespace; "" for a ClusterRoleBinding. */
  namespace: string;
  roleKind: string;
  roleName: string;
}

export const RBAC_RESOURCES = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;
type RbacResource = (typeof RBAC_RESOURCES)[number];

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The index keys of a binding's subjects: `u:<user>` and `g:<group>`. */
export function subjectKeys(binding: KubeObject): string[] {
  const keys: string[] = [];
  const subjects = (binding as { subjects?: unknown }).subjects;
  if (!Array.isArray(subjects)) return keys;
  for (const s of subjects) {
    if (!s || typeof s !== 'object' || typeof s.name !== 'string') continue;
    if (s.kind === 'User') keys.push(`u:${s.name}`);
    else if (s.kind === 'Group') keys.push(`g:${s.name}`);
    else if (s.kind === 'ServiceAccount') keys.push(`u:${serviceAccountUser(s.namespace || binding.metadata?.namespace || '', s.name)}`);
  }
  return keys;
}

export class RbacCache {
  readonly roles = new Map<string, PolicyRule[]>();
  readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** The stored ClusterRoles themselves, for aggregation and the escalation check's messages. */
  readonly clusterRoleObjects = new Map<string, KubeObject>();
  private readonly bySubject = new Map<string, Map<string, BindingEntry>>();
  private readonly bindingSubjects = new Map<string, string[]>();
  private readonly watches = new Map<RbacResource, RegistryWatch>();
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    await Promise.all(RBAC_RESOURCES.map((r) => this.startOne(r)));
  }

  close(): void {
    this.closed = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  /** The bindings naming this subject key (`u:alice`, `g:system:authenticated`). */
  bindingsFor(subjectKey: string): Iterable<BindingEntry> | undefined {
    return this.bySubject.get(subjectKey)?.values();
  }

  /** The rules a binding's roleRef names now (undefined: the role does not exist). */
  rulesOf(b: BindingEntry): PolicyRule[] | undefined {
    if (b.roleKind === 'ClusterRole') return this.clusterRoles.get(b.roleName);
    if (b.roleKind === 'Role') return this.roles.get(`${b.namespace}/${b.roleName}`);
    return undefined;
  }

  private async startOne(resource: RbacResource): Promise<void> {
    const list = await this.registry.list(resource, {});
    this.clear(resource);
    for (const o of list.items) this.apply(resource, 'ADDED', o);
    if (this.closed) return;
    this.watches.get(resource)?.stop();
    this.watches.set(resource, this.registry.watch(resource, { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(resource, ev)));
  }

  private onEvent(resource: RbacResource, ev: WatchEvent): void {
    if (ev.type === 'BOOKMARK') return;
    if (ev.type === 'ERROR') {
      if (this.closed) return;
      const retry = () =>
        this.startOne(resource).catch((err) => {
          this.logger?.warn({ resource, err: (err as Error).message }, 'rbac cache relist failed; retrying');
          if (!this.closed) setTimeout(retry, 1000).unref();
        });
      retry();
      return;
    }
    this.apply(resource, ev.type, ev.object);
  }

  private clear(resource: RbacResource): void {
    if (resource === 'roles') this.roles.clear();
    else if (resource === 'clusterroles') {
      this.clusterRoles.clear();
      this.clusterRoleObjects.clear();
    } else {
      for (const key of [...this.bindingSubjects.keys()]) if (key.startsWith(`${resource}/`)) this.removeBinding(key);
    }
  }

  private apply(resource: RbacResource, type: string, o: KubeObject): void {
    const name = o?.metadata?.name;
    if (!name) return;
    const ns = o.metadata.namespace ?? '';
    const deleted = type === 'DELETED';
    const rules = (Array.isArray((o as { rules?: unknown }).rules) ? (o as unknown as { rules: PolicyRule[] }).rules : []).filter(isRule);
    switch (resource) {
      case 'roles':
        if (deleted) this.roles.delete(`${ns}/${name}`);
        else this.roles.set(`${ns}/${name}`, rules);
        return;
      case 'clusterroles':
        if (deleted) {
          this.clusterRoles.delete(name);
          this.clusterRoleObjects.delete(name);
        } else {
          this.clusterRoles.set(name, rules);
          this.clusterRoleObjects.set(name, o);
        }
        return;
      default: {
        const key = `${resource}/${ns}/${name}`;
        this.removeBinding(key);
        if (!deleted) this.addBinding(key, resource === 'rolebindings' ? ns : '', o);
      }
    }
  }

  private addBinding(key: string, namespace: string, o: KubeObject): void {
    const ref = (o as { roleRef?: { kind?: unknown; name?: unknown } }).roleRef;
    if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string') return;
    const entry: BindingEntry = { key, namespace, roleKind: ref.kind, roleName: ref.name };
    const keys = subjectKeys(o);
    this.bindingSubjects.set(key, keys);
    for (const k of keys) {
      let m = this.bySubject.get(k);
      if (!m) this.bySubject.set(k, (m = new Map()));
      m.set(key, entry);
    }
  }

  private removeBinding(key: string): void {
    const keys = this.bindingSubjects.get(key);
    if (!keys) return;
    this.bindingSubjects.delete(key);
    for (const k of keys) {
      const m = this.bySubject.get(k);
      m?.delete(key);
      if (m && m.size === 0) this.bySubject.delete(k);
    }
  }
}

function isRule(r: unknown): r is PolicyRule {
  return !!r && typeof r === 'object' && Array.isArray((r as PolicyRule).verbs);
}
