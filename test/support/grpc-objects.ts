// A bare @grpc/grpc-js client of the cluster API for apiserver tests and benchmarks,
// independent of @k8ts/client so it checks the wire format itself: it loads the .proto on its
// own and takes only the generated message types from @k8ts/client (types, no code). What it
// decodes from JSON stays untyped: tests read whatever fields they check.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { proto } from '@k8ts/client';

const PROTO = fileURLToPath(new URL('../../proto/k8ts.proto', import.meta.url));

export interface RawError {
  code: number;
  details: string;
  status?: any;
}

/** Each unary method: its request and its reply. */
interface UnaryCalls {
  Get: [proto.GetRequest, proto.ObjectReply__Output];
  List: [proto.ListRequest, proto.ListReply__Output];
  Create: [proto.WriteRequest, proto.ObjectReply__Output];
  Update: [proto.WriteRequest, proto.ObjectReply__Output];
  Patch: [proto.PatchRequest, proto.ObjectReply__Output];
  Delete: [proto.DeleteRequest, proto.ObjectReply__Output];
  RenewLease: [proto.RenewLeaseRequest, proto.RenewLeaseReply__Output];
}
type UnaryMethods = { [M in keyof UnaryCalls]: (req: UnaryCalls[M][0], md: grpc.Metadata, cb: grpc.requestCallback<UnaryCalls[M][1]>) => grpc.ClientUnaryCall };

export class RawObjects {
  readonly objects: proto.ObjectsClient;
  readonly nodes: proto.NodesClient;
  /** Objects.Watch's definition, for callers that read its messages as raw bytes. */
  readonly watchDefinition: proto.ObjectsDefinition['Watch'];
  private readonly methods: UnaryMethods;
  private readonly md: grpc.Metadata;

  constructor(address: string, token?: string, channelOptions: grpc.ChannelOptions = {}) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, defaults: true, oneofs: true });
    const pkg = (grpc.loadPackageDefinition(def) as unknown as proto.ProtoGrpcType).k8ts.v1;
    const creds = grpc.credentials.createInsecure();
    const objects = new pkg.Objects(address, creds, channelOptions);
    const nodes = new pkg.Nodes(address, creds, channelOptions);
    this.objects = objects;
    this.nodes = nodes;
    this.watchDefinition = pkg.Objects.service.Watch;
    this.methods = {
      Get: (q, md, cb) => objects.Get(q, md, cb),
      List: (q, md, cb) => objects.List(q, md, cb),
      Create: (q, md, cb) => objects.Create(q, md, cb),
      Update: (q, md, cb) => objects.Update(q, md, cb),
      Patch: (q, md, cb) => objects.Patch(q, md, cb),
      Delete: (q, md, cb) => objects.Delete(q, md, cb),
      RenewLease: (q, md, cb) => nodes.RenewLease(q, md, cb),
    };
    this.md = new grpc.Metadata();
    if (token) this.md.set('authorization', `Bearer ${token}`);
  }

  metadata(): grpc.Metadata {
    return this.md.clone();
  }

  /** One unary call; `service` is kept for the callers that name it (the method decides). */
  call<M extends keyof UnaryCalls>(method: M, req: UnaryCalls[M][0], _service: 'objects' | 'nodes' = 'objects'): Promise<UnaryCalls[M][1]> {
    const fn: UnaryMethods[M] = this.methods[method];
    return new Promise((resolve, reject) => {
      fn(req, this.md, (err, res) => {
        if (err || !res) {
          const raw = err?.metadata?.get('k8s-status')[0];
          reject({ code: err?.code ?? grpc.status.INTERNAL, details: err?.details ?? 'no reply', status: raw ? JSON.parse(raw.toString()) : undefined } as RawError);
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
  async list(resource: string, req: Omit<proto.ListRequest, 'resource'> = {}): Promise<any> {
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
  watch(resource: string, req: Omit<proto.WatchRequest, 'resource'> = {}) {
    const events: { type: string; object: any }[] = [];
    const waiters: (() => void)[] = [];
    let error: RawError | undefined;
    let ended = false;
    const call = this.objects.Watch({ resource, ...req }, this.md);
    const handle = { batches: 0 };
    call.on('data', (ev: proto.WatchEvent__Output) => {
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
