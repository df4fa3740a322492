// The Nodes service for agents: lease renewal and the held-open Connect stream that the
// apiserver's log/exec/attach/port-forward streams travel on.
import * as grpc from '@grpc/grpc-js';
import { ExchangeStream, type ExchangeCallOptions, type RenewLeaseReplyMsg } from './exchange-stream.js';
import { GRPC_CLIENT_OPTIONS, apiErrorFromGrpc, bearerMetadata, callUnary, exchangeWanted, resolveToken, unaryMethods, type GrpcClientOptions, type UnaryMethod } from './grpc-calls.js';
import { loadK8tsProto, type proto } from './proto/index.js';
import { channelCredentials } from './grpc-tls.js';

/** What an agent writes on its Connect stream. */
export type AgentMessage = proto.AgentMessage;
/** What the apiserver sends on it. */
export type ServerMessage = proto.ServerMessage__Output;
export type AgentStream = grpc.ClientDuplexStream<AgentMessage, ServerMessage>;

/** What agents call besides objects: lease renewal and the held-open stream tunnel. */
export class NodesClient {
  private readonly nodes: proto.NodesClient;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  /** Renewals as messages on an Exchange stream: the owning GrpcClient's, or one of its own. */
  private readonly exchange: ExchangeStream | undefined;
  private readonly ownExchange: { stream: ExchangeStream; objects: proto.ObjectsClient } | undefined;

  /** Nodes.RenewLease in grpc-js's callback form (the Exchange stream's fallback calls it). */
  readonly renewLeaseMethod: UnaryMethod<proto.RenewLeaseRequest, RenewLeaseReplyMsg> = (req, md, o, cb) => this.nodes.RenewLease(req, md, o, cb);

  constructor(opts: GrpcClientOptions = {}, channel?: ReturnType<grpc.Client['getChannel']>, sharedExchange?: ExchangeStream) {
    const { Nodes, Objects } = loadK8tsProto();
    this.token = resolveToken(opts);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const server = opts.server ?? '127.0.0.1:6444';
    const channelOptions: grpc.ClientOptions = { ...GRPC_CLIENT_OPTIONS, ...opts.channelOptions };
    if (channel) channelOptions.channelOverride = channel;
    const creds = channel ? grpc.credentials.createInsecure() : channelCredentials(opts);
    this.nodes = new Nodes(server, creds, channelOptions);
    if (sharedExchange) this.exchange = sharedExchange;
    else if (exchangeWanted(opts.exchange)) {
      const objects = new Objects(server, creds, { ...channelOptions, channelOverride: this.nodes.getChannel() });
      const methods = unaryMethods(objects, this.renewLeaseMethod);
      const stream = new ExchangeStream(() => objects.Exchange(bearerMetadata(this.token)), (op, req, o) => callUnary(methods[op], req, this.token, o), apiErrorFromGrpc);
      this.ownExchange = { stream, objects };
      this.exchange = stream;
    }
  }

  /** Renews (or creates) the node's Lease in kube-node-lease; resolves to the renewTime written. */
  async renewLease(nodeName: string, leaseDurationSeconds: number): Promise<string> {
    const req: proto.RenewLeaseRequest = { node_name: nodeName, lease_duration_seconds: leaseDurationSeconds };
    const reply = this.exchange ? await this.exchange.call('renew_lease', req, { timeoutMs: this.timeoutMs }) : await this.renewLeaseUnary(req);
    return reply.renew_time;
  }

  /** Nodes.RenewLease as a unary call. */
  renewLeaseUnary(req: proto.RenewLeaseRequest, opts: Partial<ExchangeCallOptions> = {}): Promise<RenewLeaseReplyMsg> {
    return callUnary(this.renewLeaseMethod, req, this.token, { timeoutMs: opts.timeoutMs ?? this.timeoutMs, signal: opts.signal });
  }

  /**
   * Opens the agent's stream to the apiserver and sends the hello. The caller reads
   * ServerMessages (open/data/close per stream_id), writes AgentMessages, and reopens it when
   * it ends (`error`/`end`; GOAWAY does not reopen long-lived streams by itself).
   */
  connect(nodeName: string): AgentStream {
    const call = this.nodes.Connect(bearerMetadata(this.token));
    call.write({ stream_id: '', hello: { node_name: nodeName } });
    return call;
  }

  close(): void {
    this.ownExchange?.stream.close();
    this.ownExchange?.objects.close();
    this.nodes.close();
  }
}
