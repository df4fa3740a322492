// The Client over the cluster's gRPC API (proto/k8ts.proto): objects travel as their
// Kubernetes JSON, errors come back as the metav1.Status in the `k8s-status` trailer, and a
// watch is a server stream that ends (for the informer to relist) when the stream breaks.
import * as grpc from '@grpc/grpc-js';
import { failureStatus, type KubeObject, type KubeList, type WatchEvent, type WatchEventType, type DeleteOptions, type Status } from '@k8ts/api';
import { ExchangeStream, type ExchangeOp, type ExchangeRequests, type ExchangeUnary, type ObjectReplyMsg } from './exchange-stream.js';
import { GRPC_CLIENT_OPTIONS, apiErrorFromGrpc, bearerMetadata, callUnary, exchangeWanted, resolveToken, unaryMethods, type GrpcClientOptions, type UnaryMethods } from './grpc-calls.js';
import { NodesClient } from './nodes-client.js';
import { channelCredentials, tlsFromEnv, type GrpcTlsOptions } from './grpc-tls.js';
import { PROTO_PATH, loadK8tsProto, type proto } from './proto/index.js';
import { type Client, type ListOptions, type WatchOptions, type WriteOptions, type PatchType, type WatchHandle } from './types.js';

export { GRPC_CLIENT_OPTIONS, GRPC_SHARED_OPTIONS, apiErrorFromGrpc, type GrpcClientOptions } from './grpc-calls.js';
export { channelCredentials, tlsFromEnv, type GrpcTlsOptions } from './grpc-tls.js';
export { NodesClient, type AgentMessage, type ServerMessage, type AgentStream } from './nodes-client.js';

/** Kept for callers of the former names: the one loader lives in ./proto. */
export const CLIENT_PROTO_PATH = PROTO_PATH;
export const loadClientProto = loadK8tsProto;

type ObjectOp = Exclude<ExchangeOp, 'renew_lease'>;

export class GrpcClient implements Client {
  readonly server: string;
  private readonly objects: proto.ObjectsClient;
  /** Each Exchange op as its unary call: used when exchange is off, or the apiserver lacks it. */
  private readonly methods: UnaryMethods;
  private readonly token: string | undefined;
  private readonly tls: GrpcTlsOptions;
  private readonly timeoutMs: number;
  private nodesClient: NodesClient | undefined;
  private readonly watches = new Set<WatchHandle>();
  private readonly exchange: ExchangeStream | undefined;

  constructor(opts: GrpcClientOptions = {}) {
    const { Objects } = loadK8tsProto();
    this.server = opts.server ?? '127.0.0.1:6444';
    this.token = resolveToken(opts);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.tls = { caFile: opts.caFile, clientCertFile: opts.clientCertFile, clientKeyFile: opts.clientKeyFile };
    const objects = new Objects(this.server, channelCredentials(this.tls), { ...GRPC_CLIENT_OPTIONS, ...opts.channelOptions });
    this.objects = objects;
    this.methods = unaryMethods(objects, (req, md, o, cb) => this.nodes.renewLeaseMethod(req, md, o, cb));
    if (exchangeWanted(opts.exchange)) {
      const unary: ExchangeUnary = (op, req, o) => callUnary(this.methods[op], req, this.token, o);
      this.exchange = new ExchangeStream(() => objects.Exchange(bearerMetadata(this.token)), unary, apiErrorFromGrpc);
    }
  }

  /**
   * This client with another deadline for each call, as client-go callers give one call a
   * context with a timeout: the same channel, watches and Exchange stream. A call that runs
   * out of time fails (504) and leaves the stream then, instead of staying on it until this
   * client's own deadline. Closing either closes both.
   */
  withTimeout(timeoutMs: number): GrpcClient {
    const view = Object.create(this) as GrpcClient;
    (view as unknown as { timeoutMs: number }).timeoutMs = timeoutMs;
    return view;
  }

  /** Requests waiting for their reply on the Exchange stream. */
  get requestsInFlight(): number {
    return this.exchange?.inFlight ?? 0;
  }

  /** The Nodes service on the same channel, for agents; its lease renewals share this client's Exchange stream. */
  get nodes(): NodesClient {
    this.nodesClient ??= new NodesClient({ server: this.server, token: this.token, ...this.tls, timeoutMs: this.timeoutMs, exchange: false }, this.objects.getChannel(), this.exchange);
    return this.nodesClient;
  }

  /** One object op: on the Exchange stream, or as its unary call. */
  private async object<T, Op extends ObjectOp = ObjectOp>(op: Op, req: ExchangeRequests[Op]): Promise<T> {
    const opts = { timeoutMs: this.timeoutMs };
    const reply: ObjectReplyMsg = this.exchange ? await this.exchange.call(op, req, opts) : await callUnary(this.methods[op], req, this.token, opts);
    return JSON.parse(reply.json) as T;
  }

  get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource?: string): Promise<T> {
    return this.object<T, 'get'>('get', { resource, namespace: namespace ?? '', name, subresource: subresource ?? '' });
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    const req: proto.ListRequest = {
      resource,
      namespace: opts.namespace ?? '',
      label_selector: opts.labelSelector ?? '',
      field_selector: opts.fieldSelector ?? '',
      limit: String(opts.limit ?? 0),
      continue: opts.continue ?? '',
      resource_version: opts.resourceVersion ?? '',
      resource_version_match: opts.resourceVersionMatch ?? '',
    };
    // ObjectRequest has no list op: a list is always a unary call.
    const list = (q: proto.ListRequest, md: grpc.Metadata, o: grpc.CallOptions, cb: grpc.requestCallback<proto.ListReply__Output>) => this.objects.List(q, md, o, cb);
    const reply = await callUnary(list, req, this.token, { timeoutMs: this.timeoutMs });
    return JSON.parse(reply.json) as KubeList<T>;
  }

  create<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts: WriteOptions = {}): Promise<T> {
    const m = (obj as KubeObject).metadata ?? {};
    return this.object<T, 'create'>('create', {
      resource,
      namespace: m.namespace ?? '',
      name: opts.subresource ? (m.name ?? '') : '',
      subresource: opts.subresource ?? '',
      json: JSON.stringify(obj),
      dry_run: Boolean(opts.dryRun),
    });
  }

  update<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts: WriteOptions = {}): Promise<T> {
    const m = (obj as KubeObject).metadata ?? {};
    return this.object<T, 'update'>('update', {
      resource,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      subresource: opts.subresource ?? '',
      json: JSON.stringify(obj),
      dry_run: Boolean(opts.dryRun),
    });
  }

  createSubresource<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<T> {
    return this.object<T, 'create'>('create', { resource, namespace: namespace ?? '', name, subresource, json: JSON.stringify(body), dry_run: false });
  }

  patch<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, patchType: PatchType, patch: unknown, opts: WriteOptions & { fieldManager?: string; force?: boolean } = {}): Promise<T> {
    return this.object<T, 'patch'>('patch', {
      resource,
      namespace: namespace ?? '',
      name,
      subresource: opts.subresource ?? '',
      patch_type: patchType,
      patch: typeof patch === 'string' ? patch : JSON.stringify(patch),
      field_manager: opts.fieldManager ?? '',
      force: Boolean(opts.force),
    });
  }

  delete(resource: string, namespace: string, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    return this.object<KubeObject, 'delete'>('delete', { resource, namespace: namespace ?? '', name, options_json: opts ? JSON.stringify(opts) : '' });
  }

  watch<T extends KubeObject = KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    const call = this.objects.Watch(
      {
        resource,
        namespace: opts.namespace ?? '',
        label_selector: opts.labelSelector ?? '',
        field_selector: opts.fieldSelector ?? '',
        resource_version: opts.resourceVersion ?? '',
        allow_bookmarks: Boolean(opts.allowBookmarks),
        allow_batches: true,
      },
      bearerMetadata(this.token),
    );
    let ended = false;
    let stopping = false;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    // grpc-js may emit both `error` and `end`: finish once.
    const finish = () => {
      if (ended) return;
      ended = true;
      this.watches.delete(handle);
      call.removeAllListeners('data');
      resolveDone();
    };
    const deliver = (ev: WatchEvent<T>) => {
      if (ended || stopping) return;
      try {
        onEvent(ev);
      } catch {
        // A throwing handler must not kill the stream reader; informers contain their own errors.
      }
    };
    const read = (msg: proto.WatchEvent__Output): boolean => {
      let object: T;
      try {
        object = JSON.parse(msg.json) as T;
      } catch (e) {
        const status = failureStatus(500, 'InternalError', `bad watch event: ${(e as Error).message}`);
        deliver({ type: 'ERROR', object: status as unknown as T });
        stopping = true;
        call.cancel();
        finish();
        return false;
      }
      deliver({ type: msg.type as WatchEventType, object });
      return true;
    };
    call.on('data', (msg: proto.WatchEvent__Output) => {
      if (msg.batch?.length) {
        for (const ev of msg.batch) if (!read(ev)) return;
      } else read(msg);
    });
    call.on('error', (err: grpc.ServiceError) => {
      // An error the apiserver sent (bad selector, 401) reaches the handler as an ERROR event;
      // a broken connection just ends the watch so the caller relists.
      if (!stopping && err.metadata?.get('k8s-status')?.length) deliver({ type: 'ERROR', object: apiErrorFromGrpc(err).status as unknown as T });
      finish();
    });
    call.on('end', finish);
    call.on('close', finish);
    const handle: WatchHandle = {
      stop: () => {
        if (ended) return;
        stopping = true;
        call.cancel();
        finish();
      },
      done,
    };
    this.watches.add(handle);
    return handle;
  }

  close(): void {
    this.exchange?.close();
    for (const w of [...this.watches]) w.stop();
    this.nodesClient?.close();
    this.objects.close();
  }
}

export interface ClientFromOptions extends GrpcTlsOptions {
  server?: string;
  token?: string;
  tokenFile?: string;
  timeoutMs?: number;
}

function fromEnv(opts: ClientFromOptions): GrpcClientOptions {
  const tokenFile = opts.tokenFile ?? process.env.K8TS_TOKEN_FILE;
  return {
    server: opts.server ?? process.env.K8TS_SERVER ?? '127.0.0.1:6444',
    token: opts.token ?? (opts.tokenFile ? undefined : process.env.K8TS_TOKEN),
    tokenFile: tokenFile || undefined,
    ...tlsFromEnv(opts),
    timeoutMs: opts.timeoutMs,
  };
}

/**
 * The GrpcClient for component flags `--server`, `--token`, `--token-file`, `--ca-file`,
 * `--client-cert`, `--client-key` (env K8TS_SERVER, K8TS_TOKEN, K8TS_TOKEN_FILE, K8TS_CA_FILE,
 * K8TS_CLIENT_CERT, K8TS_CLIENT_KEY).
 */
export function clientFromOptions(opts: ClientFromOptions = {}): GrpcClient {
  return new GrpcClient(fromEnv(opts));
}

export function nodesClientFromOptions(opts: ClientFromOptions = {}): NodesClient {
  return new NodesClient(fromEnv(opts));
}
