// The one etcd3 client of the apiserver. The library's default fault handling opens a 5 s
// circuit breaker after three failures, so a one-second etcd blip would turn into five
// seconds of errors; here every host gets a breaker that half-opens after 250 ms and the
// global policy retries unavailable calls with a short backoff for a few seconds.
import { readFileSync } from 'node:fs';
import { Etcd3, isRecoverableError } from 'etcd3';
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { ETCD_FLOW_CONTROL_WINDOW } from './etcd-unary.js';
import { guardWatchStream } from './etcd-watch-guard.js';

export { ETCD_FLOW_CONTROL_WINDOW };

const MAX_MESSAGE = 2 ** 31 - 1;

export interface EtcdClientOptions {
  servers: string[];
  /** Max attempts of one call while etcd is unavailable (default 8, ≈ 4 s of backoff). */
  maxAttempts?: number;
  /** TLS to https:// servers (readEtcdTls); plaintext without it. */
  tls?: EtcdTls;
  /** Told when the watch stream was reset because etcd3 lost track of a watch (see etcd-watch-guard.ts). */
  onWatchStreamReset?: (err: Error) => void;
}

/** What kube-apiserver's --etcd-cafile, --etcd-certfile and --etcd-keyfile name, read. */
export interface EtcdTls {
  /** The CA etcd's serving certificate must chain to; the system's roots without it. */
  ca?: Buffer;
  /** The client certificate and key etcd's --client-cert-auth asks for. */
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * TLS to etcd when the servers are https:// (as etcd's clientv3 decides by scheme), with the
 * files read once at start. Plain http:// servers stay plaintext; naming TLS files for them,
 * or mixing the schemes, is refused rather than silently sending in the clear.
 */
export function readEtcdTls(servers: string[], files: EtcdTlsFiles): EtcdTls | undefined {
  if (!!files.certFile !== !!files.keyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  const secure = servers.filter((s) => /^https:\/\//i.test(s));
  if (secure.length && secure.length !== servers.length) throw new Error(`--etcd-servers mixes https:// and plaintext URLs: ${servers.join(',')}`);
  const named = files.caFile || files.certFile;
  if (!secure.length) {
    if (named) throw new Error('--etcd-cafile, --etcd-certfile and --etcd-keyfile need https:// --etcd-servers');
    return undefined;
  }
  return {
    ca: files.caFile ? readFileSync(files.caFile) : undefined,
    cert: files.certFile ? readFileSync(files.certFile) : undefined,
    key: files.keyFile ? readFileSync(files.keyFile) : undefined,
  };
}

export function createEtcdClient(opts: EtcdClientOptions): Etcd3 {
  const recoverable = handleWhen(isRecoverableError);
  const client = new Etcd3({
    hosts: opts.servers,
    dialTimeout: 3000,
    // etcd3 hands these to grpc.credentials.createSsl; a null root means the system's roots.
    ...(opts.tls ? { credentials: { rootCertificate: opts.tls.ca ?? (null as unknown as Buffer), privateKey: opts.tls.key, certChain: opts.tls.cert } } : {}),
    grpcOptions: {
      'grpc.enable_channelz': 0,
      // gRPC's default 4 MiB receive limit would fail any list bigger than that; kube-apiserver
      // lifts the limit the same way (MaxCallRecvMsgSize = MaxInt32). etcd itself caps what
      // it accepts (--max-request-bytes).
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
      'grpc-node.flow_control_window': ETCD_FLOW_CONTROL_WINDOW,
    },
    faultHandling: {
      host: () => circuitBreaker(recoverable, { halfOpenAfter: 250, breaker: new ConsecutiveBreaker(5) }),
      global: retry(handleWhen((e) => isRecoverableError(e) || e.name === 'BrokenCircuitError'), {
        maxAttempts: opts.maxAttempts ?? 8,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
      }),
      // etcd3 declares the IBackoff of its own cockatiel copy; the shapes match.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as any,
    },
  });
  guardWatchStream(client, opts.onWatchStreamReset ?? (() => {}));
  return client;
}

/** Splits `--etcd-servers` ("http://a:2379,http://b:2379"). */
export function parseEtcdServers(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
