// A bare @grpc/grpc-js client of the cluster API for apiserver tests and benchmarks,
// independent of @k8ts/client so it checks the wire format itself.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const PROTO = fileURLToPath(new URL('../../proto/k8ts.proto', import.meta.url));

export interface RawError {
  code: number;
  details: string;
  status?: any;
}

export class RawObjects {
  readonly objects: any;
  readonly nodes: any;
  private readonly md: grpc.Metadata;

  constructor(address: string, token?: string, channelOptions: grpc.ChannelOptions = {}) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, defaults: true, oneofs: true });
    const pkg = (grpc.loadPackageDefinition(def) as any).k8ts.v1;
    const creds = grpc.credentials.createInsecure();
    this.objects = new pkg.Objects(address, creds, channelOptions);
    this.nodes = new pkg.Nodes(address, creds, channelOptions);
    this.md = new grpc.Metadata();
    if (token) this.md.set('authorization', `Bearer ${token}`);
  }

  metadata(): grpc.Metadata {
    return this.md.clone();
  }

  call(method: string, req: object, service: 'objects' | 'nodes' = 'objects'): Promise<any> {
    const svc = service === 'objects' ? this.objects : this.nodes;
    return new Promise((resolve, reject) => {
      svc[method](req, this.md, (err: grpc.ServiceError | null, res: any) => {
        if (err) {
          const raw = err.metadata?.get('k8s-status')[0];
          reject({ code: err.code, details: err.details, status: raw ? JSON.parse(raw.toString()) : undefined } as RawError);
        } else resolve(res);
      });
    });
  }

  async create(resource: string, namespace: string, obj: object, subresource = '', name = ''): Promise<any> {
    return JSON.parse((await this.call('Create', { resource, namespace, name, subresource, json: JSON.stringify(obj) })).json);
  }
  async get(resource: string, namespace: string, name: string, subresource = ''): Promise<any> {
    return JSON.parse((await this.call('Get', { resource, namespace, name, subresource })).json);
  }
  async list(resource: string, req: Record<string, unknown> = {}): Promise<any> {
    return JSON.parse((await this.call('List', { resource, ...req })).json);
  }
  async update(resource: string, namespace: string, obj: any, subresource = ''): Promise<any> {
    return JSON.parse((await this.call('Update', { resource, namespace, name: obj.metadata.name, subresource, json: JSON.stringify(obj) })).json);
  }
  async patch(resource: string, namespace: string, name: string, patchType: string, patch: string, subresource = ''): Promise<any> {
    return JSON.parse((await this.call('Patch', { resource, namespace, name, subresource, patch_type: patchType, patch })).json);
  }
  async delete(resource: string, namespace: string, name: string, options: object = {}): Promise<any> {
    return JSON.parse((await this.call('Delete', { resource, namespace, name, options_json: JSON.stringify(options) })).json);
  }

  /** Collects watch events; `events` fills as they come. */
  watch(resource: string, req: Record<string, unknown> = {}) {
    const events: { type: string; object: any }[] = [];
    const waiters: (() => void)[] = [];
    let error: RawError | undefined;
    let ended = false;
    const call = this.objects.Watch({ resource, ...req }, this.md);
    const handle = { batches: 0 };
    call.on('data', (ev: any) => {
      if (ev.batch?.length) {
        handle.batches++;
        for (const e of ev.batch) events.push({ type: e.type, object: JSON.parse(e.json) });
      } else events.push({ type: ev.type, object: JSON.parse(ev.json) });
      for (const w of waiters.splice(0)) w();
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) {
        const raw = err.metadata?.get('k8s-status')[0];
        error = { code: err.code, details: err.details, status: raw ? JSON.parse(raw.toString()) : undefined };
      }
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
    call.on('end', () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
    return {
      events,
      /** Messages that carried several events (WatchEvent.batch; only with allow_batches). */
      get batches() {
        return handle.batches;
      },
      get error() {
        return error;
      },
      get ended() {
        return ended;
      },
      /** Resolves when pred holds over the events so far (or rejects after ms). */
      async until(pred: (evs: typeof events) => boolean, ms = 5000): Promise<void> {
        const deadline = Date.now() + ms;
        while (!pred(events)) {
          if (ended) throw new Error(`watch ended: ${JSON.stringify(error)} after ${JSON.stringify(events.map((e) => e.type))}`);
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`timed out; events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`);
          await new Promise<void>((r) => {
            const t = setTimeout(r, left);
            waiters.push(() => {
              clearTimeout(t);
              r();
            });
          });
        }
      },
      cancel() {
        call.cancel();
      },
    };
  }

  close(): void {
    this.objects.close();
    this.nodes.close();
  }
}
