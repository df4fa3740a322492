// The transport under EtcdKv: one grpc-js unary call per request, bytes in and bytes out,
// with the etcd3 client's failover and retry policy. It runs in the apiserver's main thread
// or, by default, in a thread of its own (etcd-thread.ts), where grpc-js's per-call work and
// the HTTP/2 framing no longer share the event loop that serves the API.
import * as grpc from '@grpc/grpc-js';
// etcd3's error module alone: its index loads the whole client and its proto files, which
// the etcd thread has no use for (tens of MiB in a thread of its own).
import { castGrpcError, GRPCDeadlineExceededError, isRecoverableError } from 'etcd3/lib/errors.js';
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import type { EtcdTls } from './etcd-client.js';

/** What EtcdKv needs of a transport: a unary call of an etcd method on encoded bytes. */
export interface EtcdCalls {
  call(method: string, message: Uint8Array): Promise<Buffer>;
  close(): void;
}

export interface EtcdUnaryOptions {
  servers: string[];
  /** Attempts of one call while etcd is unavailable (as the etcd3 client's global policy). */
  maxAttempts?: number;
  /**
   * A call without an answer after this long fails (DeadlineExceeded, not retried: a write
   * may have been applied) and drops its connection, so the next call dials again, the next
   * member first: a member that vanished without closing its connections is left behind.
   */
  callTimeoutMs?: number;
  /** TLS to https:// servers, as the etcd3 client's (readEtcdTls). */
  tls?: EtcdTls;
}

/** The status a failed call ended with, kept on its error so a thread can hand it on. */
export interface CallStatus {
  code: number;
  details: string;
}

/** etcd3's typed error (GRPCUnavailableError, GRPCOutOfRangeError, …) for a call's status. */
export function errorOfStatus(status: CallStatus): Error {
  const raw = Object.assign(new Error(`${status.code} ${grpc.status[status.code]}: ${status.details}`), status);
  const e = castGrpcError(raw);
  e.name = e.constructor.name; // etcd3's classes leave it "Error"
  return Object.assign(e, { callStatus: { code: status.code, details: status.details } });
}

/** The status behind an error of errorOfStatus, if it is one. */
export function statusOfError(err: unknown): CallStatus | undefined {
  return (err as { callStatus?: CallStatus } | null)?.callStatus;
}

/**
 * The HTTP/2 window (per stream and per connection) of the apiserver's channels to etcd.
 * grpc-js leaves both at HTTP/2's 64 KiB, so etcd may send no more than 64 KiB before the
 * apiserver's event loop turns and reads it: under a REST flood (loop turns of 20–100 ms)
 * every etcd answer shared a few hundred KB/s, list answers held the window, and a node's
 * Lease renewal waited for its etcd call until the 30 s deadline (the soak test, issue 14).
 * grpc-go's clients grow their windows to 16 MiB (BDP estimation); this is that, fixed.
 * Measured with a 20 ms busy loop per turn and 60 concurrent 1.2 MB ranges: 3.6 → 45 MB/s.
 */
export const ETCD_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

// etcd refuses keepalive pings more often than its --grpc-keepalive-min-time (5 s).
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 2 ** 31 - 1,
  'grpc.max_send_message_length': 2 ** 31 - 1,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  // etcd's answers in large pieces however busy the apiserver's event loop is (etcd-client.ts).
  'grpc-node.flow_control_window': ETCD_FLOW_CONTROL_WINDOW,
};

export class EtcdUnary implements EtcdCalls {
  private readonly servers: string[];
  private readonly channels: (grpc.Client | undefined)[] = [];
  private current = 0;
  private closed = false;
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private readonly callTimeoutMs: number;
  private readonly credentials: grpc.ChannelCredentials;

  constructor(opts: EtcdUnaryOptions) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    // In EtcdThread's worker the TLS files arrive as Uint8Arrays (a structured clone drops
    // Buffer's prototype), and grpc-js takes Buffers only.
    const buf = (b: Uint8Array | undefined) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null);
    this.credentials = opts.tls ? grpc.credentials.createSsl(buf(opts.tls.ca), buf(opts.tls.key), buf(opts.tls.cert)) : grpc.credentials.createInsecure();
    if (!opts.servers.length) throw new Error('no etcd servers');
    this.servers = opts.servers.map((s) => s.replace(/^https?:\/\//, '').replace(/\/+$/, ''));
    this.maxAttempts = opts.maxAttempts ?? 8;
    // The attempt made before the policy counts as the policy's first.
    this.policy = retry(handleWhen((e) => this.retryable(e)), {
      maxAttempts: this.maxAttempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
    });
  }

  /** One attempt first, outside the retry policy: its promise and closures cost every call, and only failures need them. */
  async call(method: string, message: Uint8Array): Promise<Buffer> {
    try {
      return await this.once(method, message);
    } catch (err) {
      if (!this.retryable(err as Error) || this.maxAttempts <= 1) throw err;
      return this.policy.execute(() => this.once(method, message));
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels) c?.close();
    this.channels.length = 0;
  }

  private channel(index: number): grpc.Client {
    let c = this.channels[index];
    if (!c) {
      c = new grpc.Client(this.servers[index]!, this.credentials, CHANNEL_OPTIONS);
      this.channels[index] = c;
    }
    return c;
  }

  /**
   * One unary call to the current member. A member that is unavailable or did not answer in
   * time is left for the next one; a timed-out channel is closed so a member that vanished
   * without closing its connections is dialled afresh when its turn comes again.
   */
  private once(method: string, message: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the etcd client is closed'));
    const index = this.current;
    const body = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    return new Promise((resolve, reject) => {
      // The channel's call, without Client.makeUnaryRequest's layers (interceptor chain,
      // an event emitter and a captured stack trace per call): the same call on the wire.
      const call = this.channel(index).getChannel().createCall(method, Date.now() + this.callTimeoutMs, undefined, null, grpc.propagate.DEFAULTS);
      let answer: Buffer | undefined;
      call.start(new grpc.Metadata(), {
        onReceiveMetadata() {},
        onReceiveMessage(m: Buffer) {
          answer = m;
        },
        onReceiveStatus: (status) => {
          if (status.code === grpc.status.OK) {
            if (answer) return resolve(answer);
            status = { ...status, code: grpc.status.UNIMPLEMENTED, details: 'No message received' };
          }
          if (status.code === grpc.status.UNAVAILABLE || status.code === grpc.status.DEADLINE_EXCEEDED) {
            if (status.code === grpc.status.DEADLINE_EXCEEDED) {
              this.channels[index]?.close();
              this.channels[index] = undefined;
            }
            if (this.current === index) this.current = (index + 1) % this.servers.length;
          }
          reject(errorOfStatus(status));
        },
      });
      call.startRead();
      call.sendMessageWithContext({}, body);
      call.halfClose();
    });
  }

  private retryable(err: Error): boolean {
    // etcd3 counts a deadline as recoverable; here it is not: the call may have been applied.
    return isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError);
  }
}
