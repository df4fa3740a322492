// The apiserver's end of agents' Nodes.Connect streams. Each agent holds one bidi call
// open; log, exec, attach and port-forward requests become numbered streams multiplexed
// over it (StreamOpen, then StreamData both ways, then StreamClose from either side).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { apiError, failureStatus } from '@k8ts/api';
import type { StreamOpenRequest, StreamTunnel, TunnelStream } from './types.js';
import { readAgentMessage, openMessage, dataMessage, closeMessage } from './messages.js';

/** The parts of a grpc-js ServerDuplexStream the hub uses. */
export interface AgentCall {
  write(msg: Record<string, unknown>): boolean;
  end(): void;
  on(event: 'data', listener: (msg: Record<string, unknown>) => void): unknown;
  on(event: 'end' | 'cancelled' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

function statusJson(code: number, reason: string, message: string): string {
  return JSON.stringify(failureStatus(code, reason, message));
}

class HubStream extends EventEmitter implements TunnelStream {
  closed = false;
  constructor(
    readonly id: string,
    private readonly agent: AgentConnection,
  ) {
    super();
  }

  write(channel: number, data: Buffer): void {
    if (this.closed) return;
    this.agent.send(dataMessage(this.id, channel, data));
  }

  close(status = ''): void {
    if (this.closed) return;
    this.agent.send(closeMessage(this.id, status));
    this.finish(status);
  }

  /** Ends locally, telling listeners how it ended. */
  finish(status: string): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.streams.delete(this.id);
    this.emit('close', status);
  }
}

class AgentConnection {
  readonly streams = new Map<string, HubStream>();
  private ended = false;

  constructor(
    readonly nodeName: string,
    private readonly call: AgentCall,
  ) {}

  send(msg: Record<string, unknown>): void {
    if (this.ended) return;
    try {
      this.call.write(msg);
    } catch {
      this.shutdown('write failed');
    }
  }

  onMessage(raw: Record<string, unknown>): void {
    const msg = readAgentMessage(raw);
    const stream = this.streams.get(msg.streamId);
    if (!stream) return;
    if (msg.data) stream.emit('data', msg.data.channel, msg.data.data);
    if (msg.close) stream.finish(msg.close.statusJson);
  }

  shutdown(why: string): void {
    if (this.ended) return;
    this.ended = true;
    const status = statusJson(503, 'ServiceUnavailable', `connection to the agent of node ${this.nodeName} lost: ${why}`);
    for (const s of [...this.streams.values()]) s.finish(status);
    try {
      this.call.end();
    } catch {
      // already gone
    }
  }
}

export class TunnelHub implements StreamTunnel {
  private readonly agents = new Map<string, AgentConnection>();
  private nextId = 1;

  /**
   * @param onAgentLost called when a node's connection ends and no newer one replaced it
   * (not when the hub itself closes them at shutdown).
   */
  constructor(
    private readonly logger?: Logger,
    private readonly onAgentLost?: (nodeName: string) => void,
  ) {}

  /** Serves one agent's Connect call; the caller has read its AgentHello. */
  attach(nodeName: string, call: AgentCall): void {
    const previous = this.agents.get(nodeName);
    if (previous) previous.shutdown('replaced by a new connection');
    const conn = new AgentConnection(nodeName, call);
    this.agents.set(nodeName, conn);
    this.logger?.info({ node: nodeName }, 'agent connected');
    call.on('data', (msg) => conn.onMessage(msg));
    const gone = (why: string) => {
      conn.shutdown(why);
      if (this.agents.get(nodeName) === conn) {
        this.agents.delete(nodeName);
        this.logger?.info({ node: nodeName, reason: why }, 'agent disconnected');
        this.onAgentLost?.(nodeName);
      }
    };
    call.on('end', () => gone('stream ended'));
    call.on('cancelled', () => gone('cancelled'));
    call.on('error', (err) => gone(err.message));
  }

  /** Serves a Connect call whose first message (AgentHello) is still unread. */
  attachCall(call: AgentCall): void {
    let attached = false;
    call.on('data', (raw) => {
      if (attached) return;
      const msg = readAgentMessage(raw);
      if (!msg.hello?.nodeName) {
        call.end();
        return;
      }
      attached = true;
      this.attach(msg.hello.nodeName, call);
    });
  }

  connectedNodes(): string[] {
    return [...this.agents.keys()];
  }

  open(nodeName: string, req: StreamOpenRequest): TunnelStream {
    const agent = this.agents.get(nodeName);
    if (!agent) {
      const message = `no agent connection for node ${nodeName}`;
      throw apiError(503, 'ServiceUnavailable', message);
    }
    const id = String(this.nextId++);
    const stream = new HubStream(id, agent);
    agent.streams.set(id, stream);
    agent.send(openMessage(id, { kind: req.kind, namespace: req.namespace, pod: req.pod, podUid: req.podUid, paramsJson: JSON.stringify(req.params) }));
    return stream;
  }

  /** Ends every agent connection (apiserver shutdown). */
  close(): void {
    for (const a of [...this.agents.values()]) a.shutdown('apiserver stopping');
    this.agents.clear();
  }
}
