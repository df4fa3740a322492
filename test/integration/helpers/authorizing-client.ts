// A Client that asks an authorizer before each call, as the apiserver's faces will once the
// authorizer chain is wired into them: the attributes a request of that shape carries, and
// a 403 in Kubernetes' words when no authorizer allows it. It lets a real agent run with
// nothing but what the Node authorizer grants its identity; `refusals` lists what it was
// refused. The Nodes service (lease renewal, the tunnel) passes through: the apiserver
// checks those against the caller's identity itself.
import { findResource, forbidden, type KubeObject, type WatchEvent } from '@k8ts/api';
import type { Client, ListOptions, PatchType, WatchOptions, WriteOptions } from '@k8ts/client';
import type { Attributes, Authorizer } from '@k8ts/apiserver';

type User = Attributes['user'];

export class AuthorizingClient implements Client {
  readonly refusals: string[] = [];

  constructor(
    private readonly inner: Client,
    private readonly authorizer: Authorizer,
    private readonly user: User,
  ) {}

  get nodes(): unknown {
    return (this.inner as unknown as { nodes?: unknown }).nodes;
  }

  private check(verb: string, resource: string, namespace: string, name: string, subresource = '', fieldSelector?: string): void {
    const info = findResource(resource);
    const a: Attributes = {
      user: this.user,
      verb,
      resourceRequest: true,
      path: '',
      apiGroup: info?.group ?? '',
      apiVersion: info?.version ?? 'v1',
      resource,
      subresource,
      namespace: info?.namespaced ? namespace : '',
      name,
      fieldSelector,
    };
    const d = this.authorizer.authorize(a);
    if (d.decision === 'Allow') return;
    const what = `${verb} ${resource}${subresource ? `/${subresource}` : ''} ${namespace}/${name}${fieldSelector ? ` ?fieldSelector=${fieldSelector}` : ''}`;
    this.refusals.push(`${what}: ${d.reason}`);
    const scope = namespace ? ` in the namespace "${namespace}"` : '';
    throw forbidden(resource, name, `User "${this.user.name}" cannot ${verb} resource "${subresource ? `${resource}/${subresource}` : resource}" in API group "${a.apiGroup}"${scope}${d.reason ? `: ${d.reason}` : ''}`);
  }

  private nsOf(resource: string, obj: KubeObject): string {
    return findResource(resource)?.namespaced ? obj.metadata?.namespace || 'default' : '';
  }

  async get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource?: string): Promise<T> {
    this.check('get', resource, namespace, name, subresource);
    return this.inner.get<T>(resource, namespace, name, subresource);
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}) {
    this.check('list', resource, opts.namespace ?? '', '', '', opts.fieldSelector ?? '');
    return this.inner.list<T>(resource, opts);
  }

  async create<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts?: WriteOptions): Promise<T> {
    this.check('create', resource, this.nsOf(resource, obj), opts?.subresource ? (obj.metadata?.name ?? '') : '', opts?.subresource);
    return this.inner.create<T>(resource, obj, opts);
  }

  async update<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts?: WriteOptions): Promise<T> {
    this.check('update', resource, this.nsOf(resource, obj), obj.metadata?.name ?? '', opts?.subresource);
    return this.inner.update<T>(resource, obj, opts);
  }

  async createSubresource<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<T> {
    this.check('create', resource, namespace, name, subresource);
    return this.inner.createSubresource<T>(resource, namespace, name, subresource, body);
  }

  async patch<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, patchType: PatchType, patch: unknown, opts?: WriteOptions): Promise<T> {
    this.check('patch', resource, namespace, name, opts?.subresource);
    return this.inner.patch<T>(resource, namespace, name, patchType, patch, opts);
  }

  async delete(resource: string, namespace: string, name: string, opts?: Parameters<Client['delete']>[3]): Promise<KubeObject> {
    this.check('delete', resource, namespace, name);
    return this.inner.delete(resource, namespace, name, opts);
  }

  watch<T extends KubeObject = KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void) {
    try {
      this.check('watch', resource, opts.namespace ?? '', '', '', opts.fieldSelector ?? '');
    } catch (err) {
      // A refused watch ends at once with the 403 as its ERROR event, as a REST watch would.
      queueMicrotask(() => onEvent({ type: 'ERROR', object: (err as { status: KubeObject }).status } as never));
      return { stop() {}, done: Promise.resolve() };
    }
    return this.inner.watch<T>(resource, opts, onEvent);
  }

  close(): void {
    this.inner.close();
  }
}
