// The Client over the cluster's gRPC API (proto/k8ts.proto): objects travel as their
// Kubernetes JSON, errors come back as the metav1.Status in the `k8s-status` trailer, and a
// watch is a server stream that ends (for the informer to relist) when the stream breaks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { apiError, failureStatus, type KubeObject, type KubeList, type WatchEvent, type WatchEventType, type DeleteOptions, type Status } from '@k8ts/api';
import { ExchangeStream, type ExchangeOp, type ExchangeCallOptions, type RenewLeaseReplyMsg } from './exchange-stream.js';
import { ApiError, type Client, type ListOptions, type WatchOptions, type WriteOptions, type PatchType, type WatchHandle } from './types.js';

export const CLIENT_PROTO_PATH = fileURLToPath(new URL('../../../proto/k8ts.proto', import.meta.url));
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, defaults: true, oneofs: true };

/** Channel options every k8ts client uses: keepalive notices a frozen apiserver in ≈ 2.5 s. */
export const GRPC_CLIENT_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 2000,
  'grpc.keepalive_timeout_ms': 2000,
  'grpc.keepalive_permit_without_calls': 1,
  // After an apiserver restart, reconnect within seconds rather than grpc's default of up to 2 minutes.
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 3000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  // A large receive window keeps a burst of watch events from stalling on flow control
  // (measured: 1000-watcher p50 delivery ≈ 300 ms → ≈ 30 ms).
  'grpc-node.flow_control_window': 16 * 1024 * 1024,
};

let protoCache: { Objects: grpc.ServiceClientConstructor; Nodes: grpc.ServiceClientConstructor } | undefined;
export function loadClientProto(): { Objects: grpc.ServiceClientConstructor; Nodes: grpc.ServiceClientConstructor } {
  if (!protoCache) {
    const def = protoLoader.loadSync(CLIENT_PROTO_PATH, LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as any;
    protoCache = { Objects: pkg.k8ts.v1.Objects, Nodes: pkg.k8ts.v1.Nodes };
  }
  return protoCache;
}

// HTTP code and reason for a gRPC status that came without a k8s-status trailer (the
// apiserver unreachable, a deadline, a cancelled call).
const fallback: Partial<Record<grpc.status, [number, string]>> = {
  [grpc.status.INVALID_ARGUMENT]: [400, 'BadRequest'],
  [grpc.status.UNAUTHENTICATED]: [401, 'Unauthorized'],
  [grpc.status.PERMISSION_DENIED]: [403, 'Forbidden'],
  [grpc.status.NOT_FOUND]: [404, 'NotFound'],
  [grpc.status.UNIMPLEMENTED]: [405, 'MethodNotAllowed'],
  [grpc.status.ALREADY_EXISTS]: [409, 'AlreadyExists'],
  [grpc.status.ABORTED]: [409, 'Conflict'],
  [grpc.status.OUT_OF_RANGE]: [410, 'Expired'],
  [grpc.status.RESOURCE_EXHAUSTED]: [429, 'TooManyRequests'],
  [grpc.status.CANCELLED]: [499, 'ClientClosedRequest'],
  [grpc.status.UNAVAILABLE]: [503, 'ServiceUnavailable'],
  [grpc.status.DEADLINE_EXCEEDED]: [504, 'Timeout'],
};

/** A gRPC error as the ApiError the apiserver meant (its k8s-status trailer), or a synthesized one. */
export function apiErrorFromGrpc(err: Partial<grpc.ServiceError>): ApiError {
  const raw = err.metadata?.get('k8s-status')?.[0];
  if (raw !== undefined) {
    try {
      const status = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as Status;
      return new ApiError(status.code ?? 500, status.reason ?? 'InternalError', status);
    } catch {
      // fall through to the code mapping
    }
  }
  const [code, reason] = fallback[err.code ?? grpc.status.UNKNOWN] ?? [500, 'InternalError'];
  const message = err.details || err.message || `${code} ${reason}`;
  return apiError(code, reason, message);
}

export interface GrpcClientOptions {
  /** host:port of the apiserver's gRPC face (default 127.0.0.1:6444). */
  server?: string;
  token?: string;
  tokenFile?: string;
  /** Deadline of each request (default 30 s). */
  timeoutMs?: number;
  channelOptions?: grpc.ChannelOptions;
  /**
   * get/create/update/patch/delete as messages on one shared Objects.Exchange stream (default
   * true, or env K8TS_GRPC_EXCHANGE=0 for false; unary calls when false, or when the apiserver
   * does not implement Exchange).
   */
  exchange?: boolean;
}

function resolveToken(opts: GrpcClientOptions): string | undefined {
  if (opts.token) return opts.token;
  if (opts.tokenFile) return readFileSync(opts.tokenFile, 'utf8').trim();
  return undefined;
}

function bearerMetadata(token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

type ObjectOp = Exclude<ExchangeOp, 'renew_lease'>;
const EXCHANGE_OP: Record<string, ObjectOp | undefined> = { Get: 'get', Create: 'create', Update: 'update', Patch: 'patch', Delete: 'delete' };
const UNARY_METHOD: Record<ObjectOp, string> = { get: 'Get', create: 'Create', update: 'Update', patch: 'Patch', delete: 'Delete' };

function exchangeWanted(opt: boolean | undefined): boolean {
  return opt ?? process.env.K8TS_GRPC_EXCHANGE !== '0';
}

export class GrpcClient implements Client {
  readonly server: string;
  private readonly objects: grpc.Client & Record<string, any>;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private nodesClient: NodesClient | undefined;
  private readonly watches = new Set<WatchHandle>();
  private readonly exchange: ExchangeStream | undefined;

  constructor(opts: GrpcClientOptions = {}) {
    const { Objects } = loadClientProto();
    this.server = opts.server ?? '127.0.0.1:6444';
    this.token = resolveToken(opts);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.objects = new Objects(this.server, grpc.credentials.createInsecure(), { ...GRPC_CLIENT_OPTIONS, ...opts.channelOptions }) as any;
    if (exchangeWanted(opts.exchange)) {
      this.exchange = new ExchangeStream(
        () => this.objects.Exchange(bearerMetadata(this.token)),
        (op, req, o) => (op === 'renew_lease' ? this.nodes.renewLeaseUnary(req, o) : this.unary(UNARY_METHOD[op], req, o)),
        apiErrorFromGrpc,
      );
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
    this.nodesClient ??= new NodesClient({ server: this.server, token: this.token, timeoutMs: this.timeoutMs, exchange: false }, this.objects.getChannel(), this.exchange);
    return this.nodesClient;
  }

  private unary<R>(method: string, req: object, opts: Partial<ExchangeCallOptions> = {}): Promise<R> {
    return new Promise((resolve, reject) => {
      const call = this.objects[method](req, bearerMetadata(this.token), { deadline: Date.now() + (opts.timeoutMs ?? this.timeoutMs) }, (err: grpc.ServiceError | null, reply: R) =>
        err ? reject(apiErrorFromGrpc(err)) : resolve(reply),
      );
      if (opts.signal) opts.signal.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  private async object<T>(method: string, req: object): Promise<T> {
    const op = EXCHANGE_OP[method];
    const reply = op && this.exchange ? await this.exchange.call(op, req, { timeoutMs: this.timeoutMs }) : await this.unary<{ json: string }>(method, req);
    return JSON.parse(reply.json) as T;
  }

  get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource?: string): Promise<T> {
    return this.object<T>('Get', { resource, namespace: namespace ?? '', name, subresource: subresource ?? '' });
  }

  list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.object<KubeList<T>>('List', {
      resource,
      namespace: opts.namespace ?? '',
      label_selector: opts.labelSelector ?? '',
      field_selector: opts.fieldSelector ?? '',
      limit: String(opts.limit ?? 0),
      continue: opts.continue ?? '',
      resource_version: opts.resourceVersion ?? '',
      resource_version_match: opts.resourceVersionMatch ?? '',
    });
  }

  create<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts: WriteOptions = {}): Promise<T> {
    const m = (obj as KubeObject).metadata ?? {};
    return this.object<T>('Create', {
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
    return this.object<T>('Update', {
      resource,
      namespace: m.namespace ?? '',
      name: m.name ?? '',
      subresource: opts.subresource ?? '',
      json: JSON.stringify(obj),
      dry_run: Boolean(opts.dryRun),
    });
  }

  createSubresource<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<T> {
    return this.object<T>('Create', { resource, namespace: namespace ?? '', name, subresource, json: JSON.stringify(body), dry_run: false });
  }

  patch<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, patchType: PatchType, patch: unknown, opts: WriteOptions & { fieldManager?: string; force?: boolean } = {}): Promise<T> {
    return this.object<T>('Patch', {
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
    return this.object<KubeObject>('Delete', { resource, namespace: namespace ?? '', name, options_json: opts ? JSON.stringify(opts) : '' });
  }

  watch<T extends KubeObject = KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    const call: grpc.ClientReadableStream<{ type: string; json: string }> = this.objects.Watch(
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
    const read = (msg: { type: string; json: string }): boolean => {
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
    call.on('data', (msg) => {
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

// --- Nodes service -------------------------------------------------------------------

export interface AgentMessage {
  stream_id?: string;
  hello?: { node_name: string };
  data?: { channel: number; data: Buffer | Uint8Array };
  close?: { status_json: string };
}

export interface ServerMessage {
  stream_id: string;
  msg?: 'open' | 'data' | 'close';
  open?: { kind: string; namespace: string; pod: string; pod_uid: string; params_json: string };
  data?: { channel: number; data: Buffer };
  close?: { status_json: string };
}

export type AgentStream = grpc.ClientDuplexStream<AgentMessage, ServerMessage>;

/** What agents call besides objects: lease renewal and the held-open stream tunnel. */
export class NodesClient {
  private readonly nodes: grpc.Client & Record<string, any>;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  /** Renewals as messages on an Exchange stream: the owning GrpcClient's, or one of its own. */
  private readonly exchange: ExchangeStream | undefined;
  private readonly ownExchange: { stream: ExchangeStream; objects: grpc.Client } | undefined;

  constructor(opts: GrpcClientOptions = {}, channel?: ReturnType<grpc.Client['getChannel']>, sharedExchange?: ExchangeStream) {
    const { Nodes, Objects } = loadClientProto();
    this.token = resolveToken(opts);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const server = opts.server ?? '127.0.0.1:6444';
    const channelOptions: grpc.ClientOptions = { ...GRPC_CLIENT_OPTIONS, ...opts.channelOptions };
    if (channel) channelOptions.channelOverride = channel as grpc.ClientOptions['channelOverride'];
    this.nodes = new Nodes(server, grpc.credentials.createInsecure(), channelOptions) as any;
    if (sharedExchange) this.exchange = sharedExchange;
    else if (exchangeWanted(opts.exchange)) {
      const objects = new Objects(server, grpc.credentials.createInsecure(), { ...channelOptions, channelOverride: this.nodes.getChannel() }) as grpc.Client & Record<string, any>;
      const stream = new ExchangeStream(
        () => objects.Exchange(bearerMetadata(this.token)),
        (_op, req, o) => this.renewLeaseUnary(req, o),
        apiErrorFromGrpc,
      );
      this.ownExchange = { stream, objects };
      this.exchange = stream;
    }
  }

  /** Renews (or creates) the node's Lease in kube-node-lease; resolves to the renewTime written. */
  async renewLease(nodeName: string, leaseDurationSeconds: number): Promise<string> {
    const req = { node_name: nodeName, lease_duration_seconds: leaseDurationSeconds };
    const reply = this.exchange ? await this.exchange.call('renew_lease', req, { timeoutMs: this.timeoutMs }) : await this.renewLeaseUnary(req);
    return reply.renew_time;
  }

  /** Nodes.RenewLease as a unary call. */
  renewLeaseUnary(req: object, opts: Partial<ExchangeCallOptions> = {}): Promise<RenewLeaseReplyMsg> {
    return new Promise((resolve, reject) => {
      const call = this.nodes.RenewLease(req, bearerMetadata(this.token), { deadline: Date.now() + (opts.timeoutMs ?? this.timeoutMs) }, (err: grpc.ServiceError | null, reply: RenewLeaseReplyMsg) =>
        err ? reject(apiErrorFromGrpc(err)) : resolve(reply),
      );
      if (opts.signal) opts.signal.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  /**
   * Opens the agent's stream to the apiserver and sends the hello. The caller reads
   * ServerMessages (open/data/close per stream_id), writes AgentMessages, and reopens it when
   * it ends (`error`/`end`; GOAWAY does not reopen long-lived streams by itself).
   */
  connect(nodeName: string): AgentStream {
    const call: AgentStream = this.nodes.Connect(bearerMetadata(this.token));
    call.write({ stream_id: '', hello: { node_name: nodeName } });
    return call;
  }

  close(): void {
    this.ownExchange?.stream.close();
    this.ownExchange?.objects.close();
    this.nodes.close();
  }
}

export interface ClientFromOptions {
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
    timeoutMs: opts.timeoutMs,
  };
}

/** The GrpcClient for component flags `--server`, `--token`, `--token-file` (env K8TS_SERVER, K8TS_TOKEN, K8TS_TOKEN_FILE). */
export function clientFromOptions(opts: ClientFromOptions = {}): GrpcClient {
  return new GrpcClient(fromEnv(opts));
}

export function nodesClientFromOptions(opts: ClientFromOptions = {}): NodesClient {
  return new NodesClient(fromEnv(opts));
}
