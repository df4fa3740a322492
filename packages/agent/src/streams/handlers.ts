// The agent's side of logs, exec, attach and port-forward: each turns one tunnel stream
// (numbered channels, then a close carrying a metav1.Status) into Docker or TCP calls.
import net from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import type { Status } from '@k8ts/api';
import type { DockerRuntime, ObservedContainer } from '../runtime/docker-runtime.js';

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

export function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(details ? { details } : {}) };
}
export const success = (): Status => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });

export class StreamError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

/** The container instance a stream is about: newest, or the one before for `previous`. */
export function pickInstance(all: ObservedContainer[], pod: string, container: string, previous: boolean): ObservedContainer {
  const insts = all.filter((c) => c.kind !== 'sandbox' && c.name === container).sort((a, b) => b.restartCount - a.restartCount);
  if (previous) {
    if (!insts[1]) throw new StreamError(failure(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`));
    return insts[1];
  }
  if (!insts[0]) throw new StreamError(failure(400, 'BadRequest', `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`));
  return insts[0];
}

/** Splits Docker's multiplexed frames (8-byte headers) of a whole buffer. */
export function demuxBuffer(buf: Buffer): Array<{ stream: number; data: Buffer }> {
  const out: Array<{ stream: number; data: Buffer }> = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const len = buf.readUInt32BE(i + 4);
    if (type > 2 || i + 8 + len > buf.length) return [{ stream: 1, data: buf }]; // not multiplexed
    out.push({ stream: type === 2 ? 2 : 1, data: buf.subarray(i + 8, i + 8 + len) });
    i += 8 + len;
  }
  return out;
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

export async function serveLog(runtime: DockerRuntime, inst: ObservedContainer, tty: boolean, p: LogParams, sink: StreamSink): Promise<void> {
  const c = runtime.docker.getContainer(inst.id);
  const since = p.sinceSeconds ? Math.floor(Date.now() / 1000) - p.sinceSeconds : p.sinceTime ? Math.floor(Date.parse(p.sinceTime) / 1000) : undefined;
  let left = p.limitBytes && p.limitBytes > 0 ? p.limitBytes : Infinity;
  const emit = (data: Buffer): boolean => {
    if (left <= 0 || sink.closed) return false;
    const chunk = data.length > left ? data.subarray(0, left) : data;
    left -= chunk.length;
    sink.send(STDOUT, chunk);
    return left > 0;
  };
  const base = { stdout: true, stderr: true, timestamps: !!p.timestamps, tail: p.tailLines !== undefined && p.tailLines >= 0 ? p.tailLines : ('all' as unknown as number), ...(since ? { since } : {}) };
  if (!p.follow) {
    const buf = (await c.logs({ ...base, follow: false })) as unknown as Buffer;
    const parts = tty ? [{ stream: 1, data: Buffer.from(buf) }] : demuxBuffer(Buffer.from(buf));
    for (const part of parts) if (!emit(part.data)) break;
    sink.close(success());
    return;
  }
  const stream = (await c.logs({ ...base, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const out = new PassThrough();
  out.on('data', (b: Buffer) => {
    if (!emit(b)) stream.destroy();
  });
  if (tty) stream.pipe(out);
  else runtime.docker.modem.demuxStream(stream, out, out);
  sink.onClose = () => stream.destroy();
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', resolve);
  });
  // let the demuxer hand over the last frame
  await new Promise((r) => setImmediate(r));
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

function wireInput(sock: Duplex, sink: StreamSink, resize: (w: number, h: number) => void): void {
  sink.onData = (channel, data) => {
    if (channel === STDIN) sock.write(data);
    else if (channel === RESIZE) {
      try {
        const r = JSON.parse(data.toString('utf8')) as { Width?: number; Height?: number; width?: number; height?: number };
        const w = r.Width ?? r.width ?? 0;
        const h = r.Height ?? r.height ?? 0;
        if (w > 0 && h > 0) resize(w, h);
      } catch {
        // a bad resize frame is ignored, as the kubelet does
      }
    } else if (channel === HALF_CLOSE && data[0] === STDIN) {
      sock.end();
    }
  };
}

function wireOutput(runtime: DockerRuntime, sock: Duplex, tty: boolean, p: { stdout?: boolean; stderr?: boolean }, sink: StreamSink): void {
  if (tty) {
    sock.on('data', (b: Buffer) => p.stdout !== false && sink.send(STDOUT, b));
    return;
  }
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (b: Buffer) => p.stdout !== false && sink.send(STDOUT, b));
  err.on('data', (b: Buffer) => p.stderr !== false && sink.send(STDERR, b));
  runtime.docker.modem.demuxStream(sock, out, err);
}

export async function serveExec(runtime: DockerRuntime, inst: ObservedContainer, p: ExecParams, sink: StreamSink): Promise<void> {
  if (!inst.running) throw new StreamError(failure(400, 'BadRequest', `container ${p.container} is not running (state: ${inst.state})`));
  const tty = !!p.tty;
  const exec = await runtime.docker.getContainer(inst.id).exec({
    Cmd: p.command ?? [],
    AttachStdin: !!p.stdin,
    AttachStdout: p.stdout !== false,
    AttachStderr: !tty && p.stderr !== false,
    Tty: tty,
  });
  const sock = (await exec.start({ hijack: true, stdin: !!p.stdin, Tty: tty } as never)) as unknown as Duplex;
  wireOutput(runtime, sock, tty, p, sink);
  wireInput(sock, sink, (w, h) => void exec.resize({ w, h } as never).catch(() => undefined));
  let gone = false;
  sink.onClose = () => {
    gone = true;
    sock.destroy();
  };
  let ended = false;
  sock.on('end', () => (ended = true));
  sock.on('close', () => (ended = true));
  // An exec stream may never end: the exit code comes from inspect.
  for (let wait = 10; !gone; wait = Math.min(wait * 2, 200)) {
    const info = await exec.inspect().catch(() => undefined);
    if (!info || (!info.Running && info.ExitCode !== null)) {
      const deadline = Date.now() + 500;
      while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setImmediate(r));
      sock.destroy();
      const code = info?.ExitCode ?? 1;
      if (!sink.closed) {
        sink.close(code === 0 ? success() : failure(500, 'NonZeroExitCode', `command terminated with non-zero exit code: error executing command [${(p.command ?? []).join(' ')}], exit code ${code}`, { causes: [{ reason: 'ExitCode', message: String(code) }] }));
      }
      return;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

export async function serveAttach(runtime: DockerRuntime, inst: ObservedContainer, p: ExecParams, sink: StreamSink): Promise<void> {
  if (!inst.running) throw new StreamError(failure(400, 'BadRequest', `container ${p.container} is not running (state: ${inst.state})`));
  const c = runtime.docker.getContainer(inst.id);
  const info = await c.inspect();
  const tty = !!info.Config.Tty;
  const sock = (await c.attach({ stream: true, stdin: !!p.stdin, stdout: p.stdout !== false, stderr: p.stderr !== false, hijack: true })) as unknown as Duplex;
  wireOutput(runtime, sock, tty, p, sink);
  wireInput(sock, sink, (w, h) => void (c.resize({ w, h } as never) as unknown as Promise<unknown>).catch(() => undefined));
  sink.onClose = () => sock.destroy();
  await new Promise<void>((resolve) => {
    sock.on('end', resolve);
    sock.on('close', resolve);
    sock.on('error', resolve);
  });
  if (!sink.closed) sink.close(success());
}

export async function servePortForward(podIP: string, port: number, sink: StreamSink): Promise<void> {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new StreamError(failure(400, 'BadRequest', `invalid port: ${port}`));
  if (!podIP) throw new StreamError(failure(400, 'BadRequest', 'pod has no IP yet'));
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
      if (!sink.closed) sink.close(failure(500, 'InternalError', `failed to connect to ${podIP}:${port}: ${e.message}`));
      resolve();
    });
    sock.on('close', () => {
      if (!sink.closed) sink.close(success());
      resolve();
    });
  });
}
