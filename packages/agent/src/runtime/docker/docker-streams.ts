// Logs, exec and attach on Docker. With Tty false Docker multiplexes stdout and stderr
// (8-byte frame headers): they are split here, so callers get plain streams either way.
import { PassThrough, Readable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecResult, LogOptions, StreamOptions, StreamSession } from '../container-runtime.js';

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

export async function dockerLogs(docker: Docker, id: string, o: LogOptions): Promise<Readable> {
  const c = docker.getContainer(id);
  const base = { stdout: true, stderr: true, timestamps: o.timestamps, tail: o.tail !== undefined && o.tail >= 0 ? o.tail : ('all' as unknown as number), ...(o.sinceUnix ? { since: o.sinceUnix } : {}) };
  if (!o.follow) {
    const buf = Buffer.from((await c.logs({ ...base, follow: false })) as unknown as Buffer);
    const parts = o.tty ? [buf] : demuxBuffer(buf).map((p) => p.data);
    return Readable.from(parts);
  }
  const stream = (await c.logs({ ...base, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const out = new PassThrough();
  if (o.tty) stream.pipe(out);
  else docker.modem.demuxStream(stream, out, out);
  const finish = () => {
    // let the demuxer hand over the last frame
    setImmediate(() => out.end());
  };
  stream.on('end', finish);
  stream.on('close', finish);
  stream.on('error', finish);
  out.on('close', () => stream.destroy());
  return out;
}

/** Runs a command and collects its output; an exec stream may never end: poll its exit code. */
export async function dockerExec(docker: Docker, id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const o = new PassThrough();
  const e = new PassThrough();
  o.on('data', (b: Buffer) => out.length < 64 && out.push(b));
  e.on('data', (b: Buffer) => err.length < 64 && err.push(b));
  docker.modem.demuxStream(stream, o, e);
  const deadline = Date.now() + timeoutMs;
  let exitCode = -1;
  let timedOut = false;
  try {
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const info = await exec.inspect();
      if (!info.Running && info.ExitCode !== null) {
        exitCode = info.ExitCode ?? -1;
        break;
      }
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    // let the last bytes through the demuxer before closing
    await new Promise((r) => setImmediate(r));
    stream.destroy();
  }
  return { exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut };
}

function session(docker: Docker, sock: Duplex, tty: boolean, withStdin: boolean, resize: (w: number, h: number) => Promise<void>, done: Promise<number | undefined>, close: () => void = () => void sock.destroy()): StreamSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (tty) sock.pipe(stdout);
  else docker.modem.demuxStream(sock, stdout, stderr);
  const end = () => setImmediate(() => (stdout.end(), stderr.end()));
  sock.on('end', end);
  sock.on('close', end);
  sock.on('error', end);
  return { stdout, stderr, stdin: withStdin ? sock : undefined, tty, resize, done, close };
}

export async function dockerExecStream(docker: Docker, id: string, o: StreamOptions): Promise<StreamSession> {
  const tty = o.tty;
  const exec = await docker.getContainer(id).exec({ Cmd: o.command ?? [], AttachStdin: o.stdin, AttachStdout: o.stdout, AttachStderr: !tty && o.stderr, Tty: tty });
  const sock = (await exec.start({ hijack: true, stdin: o.stdin, Tty: tty } as never)) as unknown as Duplex;
  let gone = false;
  let ended = false;
  sock.on('end', () => (ended = true));
  sock.on('close', () => (ended = true));
  // The exit code comes from inspect: the stream may never end on its own.
  const done = (async () => {
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      const info = await exec.inspect().catch(() => undefined);
      if (!info || (!info.Running && info.ExitCode !== null)) {
        const deadline = Date.now() + 500;
        while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setImmediate(r));
        sock.destroy();
        return info?.ExitCode ?? 1;
      }
      if (gone) return undefined;
      await new Promise((r) => setTimeout(r, wait));
    }
  })();
  const close = () => {
    gone = true; // the client went away: stop polling
    sock.destroy();
  };
  return session(docker, sock, tty, o.stdin, (w, h) => exec.resize({ w, h } as never).then(() => undefined, () => undefined), done, close);
}

export async function dockerAttach(docker: Docker, id: string, o: StreamOptions): Promise<StreamSession> {
  const c = docker.getContainer(id);
  const info = await c.inspect();
  const tty = !!info.Config.Tty;
  const sock = (await c.attach({ stream: true, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, hijack: true })) as unknown as Duplex;
  const done = new Promise<undefined>((resolve) => {
    sock.on('end', () => resolve(undefined));
    sock.on('close', () => resolve(undefined));
    sock.on('error', () => resolve(undefined));
  });
  return session(docker, sock, tty, o.stdin, (w, h) => (c.resize({ w, h } as never) as unknown as Promise<unknown>).then(() => undefined, () => undefined), done);
}
