// The agent's side of logs, exec, attach and port-forward: each turns one tunnel stream
// (numbered channels, then a close carrying a metav1.Status) into runtime or TCP calls.
import net from 'node:net';
import type { Readable } from 'node:stream';
import { apiError, badRequest, type Status } from '@k8ts/api';
import type { ContainerRuntime, ObservedContainer, StreamSession } from '../runtime/container-runtime.js';

/** What a handler may do with its stream. */
export interface StreamSink {
  send(channel: number, data: Buffer): void;
  close(status?: Status): void;
  /** Registered by the handler: data the client sent (stdin 0, resize 4, half-close 255). */
  onData?: (channel: number, data: Buffer) => void;
  /** Registered by the handler: the client went away. */
  onClose?: () => void;
  closed: boolean;
}

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const RESIZE = 4;
export const HALF_CLOSE = 255;

// What the kubelet closes a finished stream with (no code: remotecommand's v4 error channel
// reads `{"metadata":{},"status":"Success"}`); failures are @k8ts/api ApiErrors' Status.
export const success = (): Status => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });

/** The container instance a stream is about: newest, or the one before for `previous`. */
export function pickInstance(all: ObservedContainer[], pod: string, container: string, previous: boolean): ObservedContainer {
  const insts = all.filter((c) => c.kind !== 'sandbox' && c.name === container).sort((a, b) => b.restartCount - a.restartCount);
  if (previous) {
    if (!insts[1]) throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
    return insts[1];
  }
  if (!insts[0]) throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
  return insts[0];
}

export interface LogParams {
  container: string;
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

export async function serveLog(runtime: ContainerRuntime, inst: ObservedContainer, tty: boolean, p: LogParams, sink: StreamSink): Promise<void> {
  const sinceUnix = p.sinceSeconds ? Math.floor(Date.now() / 1000) - p.sinceSeconds : p.sinceTime ? Math.floor(Date.parse(p.sinceTime) / 1000) : undefined;
  let left = p.limitBytes && p.limitBytes > 0 ? p.limitBytes : Infinity;
  const stream: Readable = await runtime.logs(inst.id, { follow: !!p.follow, tail: p.tailLines, sinceUnix, timestamps: !!p.timestamps, tty });
  sink.onClose = () => stream.destroy();
  await new Promise<void>((resolve) => {
    stream.on('data', (data: Buffer) => {
      if (left <= 0 || sink.closed) return void stream.destroy();
      const chunk = data.length > left ? data.subarray(0, left) : data;
      left -= chunk.length;
      sink.send(STDOUT, chunk);
      if (left <= 0) stream.destroy();
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
  });
  if (!sink.closed) sink.close(success());
}

export interface ExecParams {
  container: string;
  command?: string[];
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  tty?: boolean;
}

/** A size from one resize message, or undefined for a bad one (ignored, as the kubelet does). */
function parseSize(text: string): { w: number; h: number } | undefined {
  try {
    const r = JSON.parse(text) as { Width?: unknown; Height?: unknown; width?: unknown; height?: unknown } | null;
    const w = Number(r?.Width ?? r?.width ?? 0);
    const h = Number(r?.Height ?? r?.height ?? 0);
    return Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0 && w <= 0xffff && h <= 0xffff ? { w, h } : undefined;
  } catch {
    return undefined;
  }
}

const MAX_PENDING_RESIZE = 4096;

/**
 * Resize messages, applied one at a time in the order sent. kubectl attach sends the size
 * one row and column too big, then the real one (so a re-attached screen redraws): fired
 * at the engine together, the two calls could land in either order and leave the terminal
 * one too big. Over SPDY the messages are JSON lines of one stream, so a chunk may hold two
 * or half of one; over WebSocket each frame holds one.
 */
export function resizer(resize: (w: number, h: number) => Promise<void>): (data: Buffer) => void {
  let pending = '';
  let want: { w: number; h: number } | undefined;
  let busy = false;
  const drain = async () => {
    busy = true;
    while (want) {
      const { w, h } = want;
      want = undefined; // only the latest of the sizes that came meanwhile matters
      await resize(w, h);
    }
    busy = false;
  };
  return (data) => {
    pending += data.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    // A frame without its newline (WebSocket) is whole when it parses.
    const whole = pending.trim() ? parseSize(pending) : undefined;
    if (whole || pending.length > MAX_PENDING_RESIZE) pending = '';
    for (const line of lines) {
      const size = line.trim() ? parseSize(line) : undefined;
      if (size) want = size;
    }
    if (whole) want = whole;
    if (want && !busy) void drain();
  };
}

function wireInput(session: StreamSession, sink: StreamSink): void {
  const resize = resizer((w, h) => session.resize(w, h));
  sink.onData = (channel, data) => {
    if (channel === STDIN) session.stdin?.write(data);
    else if (channel === RESIZE) resize(data);
    else if (channel === HALF_CLOSE && data[0] === STDIN) {
      session.stdin?.end();
    }
  };
}

function wireOutput(session: StreamSession, p: { stdout?: boolean; stderr?: boolean }, sink: StreamSink): void {
  session.stdout.on('data', (b: Buffer) => p.stdout !== false && sink.send(STDOUT, b));
  session.stderr.on('data', (b: Buffer) => p.stderr !== false && sink.send(STDERR, b));
}

function streamOptions(p: ExecParams): { command?: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  return { command: p.command ?? [], stdin: !!p.stdin, stdout: p.stdout !== false, stderr: p.stderr !== false, tty: !!p.tty };
}

export async function serveExec(runtime: ContainerRuntime, inst: ObservedContainer, p: ExecParams, sink: StreamSink): Promise<void> {
  if (!inst.running) throw badRequest(`container ${p.container} is not running (state: ${inst.state})`);
  const session = await runtime.execStream(inst.id, streamOptions(p));
  wireOutput(session, p, sink);
  wireInput(session, sink);
  sink.onClose = () => session.close();
  const code = await session.done;
  // undefined: the client left before the command ended
  if (code === undefined || sink.closed) return;
  // let the last output through before the close
  await new Promise((r) => setImmediate(r));
  sink.close(code === 0 ? success() : apiError(500, 'NonZeroExitCode', `command terminated with non-zero exit code: error executing command [${(p.command ?? []).join(' ')}], exit code ${code}`, { causes: [{ reason: 'ExitCode', message: String(code) }] }).status);
}

export async function serveAttach(runtime: ContainerRuntime, inst: ObservedContainer, p: ExecParams, sink: StreamSink): Promise<void> {
  if (!inst.running) throw badRequest(`container ${p.container} is not running (state: ${inst.state})`);
  const session = await runtime.attach(inst.id, streamOptions(p));
  wireOutput(session, p, sink);
  wireInput(session, sink);
  sink.onClose = () => session.close();
  await session.done;
  if (!sink.closed) sink.close(success());
}

export async function servePortForward(podIP: string, port: number, sink: StreamSink): Promise<void> {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw badRequest(`invalid port: ${port}`);
  if (!podIP) throw badRequest('pod has no IP yet');
  const sock = net.connect({ host: podIP, port });
  const pending: Buffer[] = [];
  let connected = false;
  sink.onData = (channel, data) => {
    if (channel === HALF_CLOSE) {
      if (connected) sock.end();
      else pending.push(Buffer.alloc(0));
      return;
    }
    if (connected) sock.write(data);
    else pending.push(data);
  };
  sink.onClose = () => sock.destroy();
  await new Promise<void>((resolve) => {
    sock.once('connect', () => {
      connected = true;
      for (const b of pending) {
        if (b.length === 0) sock.end();
        else sock.write(b);
      }
      pending.length = 0;
    });
    sock.on('data', (b: Buffer) => sink.send(0, b));
    sock.on('error', (e) => {
      if (!sink.closed) sink.close(apiError(500, 'InternalError', `failed to connect to ${podIP}:${port}: ${e.message}`).status);
      resolve();
    });
    sock.on('close', () => {
      if (!sink.closed) sink.close(success());
      resolve();
    });
  });
}
