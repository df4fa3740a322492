// What the REST face needs from the agent tunnel: open a stream to a pod on a node, pump
// bytes on numbered channels both ways, and learn how it ended.
import type { EventEmitter } from 'node:events';

export interface StreamOpenRequest {
  kind: 'log' | 'exec' | 'attach' | 'portforward' | 'metrics' | 'nodeproxy';
  namespace: string;
  pod: string;
  podUid: string;
  /** log: {container, follow, tailLines, timestamps, previous, sinceSeconds}
   *  exec/attach: {container, command[], stdin, stdout, stderr, tty}
   *  portforward: {port}
   *  metrics: {path} (the node's /metrics/resource; namespace and pod empty)
   *  nodeproxy: {} (bytes to the agent's own ops port; namespace and pod empty) */
  params: Record<string, unknown>;
}

/**
 * One stream over an agent's Connect call. Events: 'data' (channel, Buffer) and 'close'
 * (statusJson: string — empty for success, else a metav1.Status JSON). Channel numbers:
 * exec/attach 0 stdin, 1 stdout, 2 stderr, 4 resize (JSON); log 1; portforward 0.
 * Half-close of stdin is channel 255 with one data byte naming the closed channel (as in
 * the v5.channel.k8s.io protocol).
 */
export interface TunnelStream extends EventEmitter {
  readonly id: string;
  write(channel: number, data: Buffer): void;
  /** Ends the stream from the apiserver's side (client went away). */
  close(statusJson?: string): void;
  readonly closed: boolean;
}

export interface StreamTunnel {
  /** Throws ApiError 503 when no agent of that node is connected. */
  open(nodeName: string, req: StreamOpenRequest): TunnelStream;
  connectedNodes(): string[];
}

export const STDIN_CLOSE_CHANNEL = 255;
