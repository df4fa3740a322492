// The Nodes.Connect stream the agent holds open to the apiserver (so agents need no inbound
// port): the apiserver opens numbered streams on it for logs, exec, attach and
// port-forward (and nodes/NAME/proxy, to its own ops port); the agent serves each and closes it with a Status. The call is reopened
// whenever it breaks.
import type { Logger } from '@k8ts/client';
import { ApiError, apiError, badRequest, type Pod, type Status } from '@k8ts/api';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { pickInstance, serveAttach, serveExec, serveLog, servePortForward, success, type ExecParams, type LogParams, type StreamSink } from './handlers.js';
import { resourceMetrics, RESOURCE_METRICS_PATH } from '../metrics/resource-metrics.js';

/** The duplex call, as @grpc/grpc-js gives it (AgentMessage out, ServerMessage in). */
export interface ConnectCall {
  write(msg: Record<string, unknown>): boolean;
  end(): void;
  cancel?(): void;
  on(event: 'data', l: (msg: Record<string, any>) => void): unknown;
  on(event: 'end' | 'close', l: () => void): unknown;
  on(event: 'error', l: (e: Error) => void): unknown;
}

export interface StreamServerOptions {
  connect: (nodeName: string) => ConnectCall;
  nodeName: string;
  runtime: ContainerRuntime;
  /** Pods bound here (the informer's cache), by uid. */
  pods: () => Map<string, Pod>;
  log: Logger;
  /** Wait before connecting again after a failed attempt (default 1 s). */
  reconnectMs?: number;
  /**
   * Called on each new stream. The apiserver marks the node's Lease when this stream ends
   * (tunnel/agent-disconnects.ts); renewing at once tells the node lifecycle controller the
   * agent is alive before its disconnect grace runs out.
   */
  onConnect?: () => void;
  /** The agent's ops server port (nodes/NAME/proxy reaches it through this stream); ≤ 0: none. */
  opsPort?: number;
}

/** A stream that lived this long was working: its end is a break, reconnected at once. */
const WORKING_MS = 1000;
const QUICK_RECONNECT_MS = 50;

interface LocalStream extends StreamSink {
  id: string;
}

function field<T>(o: Record<string, any> | undefined, snake: string, camel: string): T | undefined {
  return (o?.[snake] ?? o?.[camel]) as T | undefined;
}

export class StreamServer {
  private call: ConnectCall | undefined;
  private readonly streams = new Map<string, LocalStream>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  connected = false;
  connects = 0;

  constructor(private readonly o: StreamServerOptions) {}

  start(): void {
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.streams.values()) s.onClose?.();
    this.streams.clear();
    try {
      this.call?.cancel?.();
      this.call?.end();
    } catch {
      // already gone
    }
  }

  private open(): void {
    if (this.stopped) return;
    let call: ConnectCall;
    try {
      call = this.o.connect(this.o.nodeName);
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'agent stream: connect failed; retrying');
      this.retry();
      return;
    }
    this.call = call;
    this.connects++;
    this.connected = true;
    const openedAt = Date.now();
    this.o.onConnect?.();
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      this.connected = false;
      // streams of a broken call cannot be resumed: their clients see the end
      for (const s of this.streams.values()) s.onClose?.();
      this.streams.clear();
      if (!this.stopped) {
        this.o.log.info({ why }, 'agent stream ended; reconnecting');
        this.retry(Date.now() - openedAt >= WORKING_MS ? QUICK_RECONNECT_MS : undefined);
      }
    };
    call.on('data', (m) => this.onMessage(m));
    call.on('error', (e) => end(e.message));
    call.on('end', () => end('end'));
    call.on('close', () => end('close'));
  }

  private retry(delayMs = this.o.reconnectMs ?? 1000): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delayMs);
  }

  private send(msg: Record<string, unknown>): void {
    try {
      this.call?.write(msg);
    } catch (e) {
      this.o.log.debug({ err: (e as Error).message }, 'agent stream write failed');
    }
  }

  private onMessage(m: Record<string, any>): void {
    const id = String(field(m, 'stream_id', 'streamId') ?? '');
    const which = m.msg as string | undefined;
    if (m.open && (!which || which === 'open')) return void this.onOpen(id, m.open);
    const s = this.streams.get(id);
    if (!s) return;
    if (m.data && (!which || which === 'data')) {
      const raw = m.data.data;
      const buf = Buffer.isBuffer(raw) ? raw : raw ? Buffer.from(raw) : Buffer.alloc(0);
      s.onData?.(Number(m.data.channel ?? 0), buf);
    } else if (m.close && (!which || which === 'close')) {
      this.streams.delete(id);
      s.closed = true;
      s.onClose?.();
    }
  }

  private async onOpen(id: string, open: Record<string, any>): Promise<void> {
    const kind = String(open.kind ?? '');
    const ns = String(open.namespace ?? '');
    const podName = String(open.pod ?? '');
    const uid = String(field(open, 'pod_uid', 'podUid') ?? '');
    let params: Record<string, any> = {};
    const sink: LocalStream = {
      id,
      closed: false,
      send: (channel, data) => {
        if (!sink.closed) this.send({ stream_id: id, data: { channel, data } });
      },
      close: (status?: Status) => {
        if (sink.closed) return;
        sink.closed = true;
        this.streams.delete(id);
        this.send({ stream_id: id, close: { status_json: status ? JSON.stringify(status) : '' } });
      },
    };
    // Client bytes that arrive before the handler is ready (stdin typed or piped while the
    // exec is being created) wait here and are handed over once it registers onData.
    const early: Array<[number, Buffer]> = [];
    let onData: StreamSink['onData'];
    Object.defineProperty(sink, 'onData', {
      get: () => onData ?? ((channel: number, data: Buffer) => void early.push([channel, data])),
      set: (fn: StreamSink['onData']) => {
        onData = fn;
        for (const [c, d] of early.splice(0)) fn?.(c, d);
      },
    });
    // A client that left before the handler registered onClose still stops it.
    let onClose: (() => void) | undefined;
    Object.defineProperty(sink, 'onClose', {
      get: () => onClose,
      set: (fn: (() => void) | undefined) => {
        onClose = fn;
        if (sink.closed && fn) fn();
      },
    });
    this.streams.set(id, sink);
    try {
      params = JSON.parse(String(field(open, 'params_json', 'paramsJson') ?? '{}') || '{}');
      if (kind === 'metrics' || kind === 'nodeproxy') return await this.serveNodeStream(kind, params, sink);
      const pod = [...this.o.pods().values()].find((p) => p.metadata?.namespace === ns && p.metadata?.name === podName && (!uid || p.metadata?.uid === uid));
      if (!pod) throw apiError(404, 'NotFound', `pod "${podName}" not found on node ${this.o.nodeName}`);
      const podUid = pod.metadata?.uid ?? '';
      const all = await this.o.runtime.list(podUid);
      if (kind === 'portforward') {
        const sandbox = all.find((c) => c.kind === 'sandbox' && c.running);
        const ip = pod.spec?.hostNetwork ? '127.0.0.1' : ((sandbox && (await this.o.runtime.inspect(sandbox))?.ip) ?? pod.status?.podIP ?? '');
        await servePortForward(ip, Number(params.port), sink);
        return;
      }
      const container = String(params.container ?? '');
      const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].find((c) => c.name === container);
      if (!spec) throw badRequest(`container ${container} is not valid for pod ${podName}`);
      const inst = pickInstance(all, podName, container, kind === 'log' && !!params.previous);
      if (kind === 'log') await serveLog(this.o.runtime, inst, !!spec.tty, params as LogParams, sink);
      else if (kind === 'exec') await serveExec(this.o.runtime, inst, params as ExecParams, sink);
      else if (kind === 'attach') await serveAttach(this.o.runtime, inst, params as ExecParams, sink);
      else throw badRequest(`unknown stream kind ${kind}`);
    } catch (e) {
      const status = e instanceof ApiError ? e.status : apiError(500, 'InternalError', (e as Error).message).status;
      this.o.log.debug({ pod: `${ns}/${podName}`, kind, err: status.message }, 'stream failed');
      sink.close(status);
    }
  }

  /** The node's own endpoints, as the apiserver reaches kubelet's: no pod involved. */
  private async serveNodeStream(kind: 'metrics' | 'nodeproxy', params: Record<string, any>, sink: StreamSink): Promise<void> {
    if (kind === 'metrics') {
      if (params.path !== RESOURCE_METRICS_PATH) throw apiError(404, 'NotFound', `the server could not find the requested resource`);
      sink.send(1, Buffer.from(await resourceMetrics(this.o.runtime, this.o.log)));
      sink.close(success());
      return;
    }
    // Bytes to the agent's own ops server on loopback, whatever port the caller named: the
    // apiserver authorized nodes/proxy, and this is the one endpoint it may reach.
    const port = this.o.opsPort ?? 0;
    if (port <= 0) throw apiError(503, 'ServiceUnavailable', `the agent of node ${this.o.nodeName} serves no ops endpoint`);
    await servePortForward('127.0.0.1', port, sink);
  }
}
