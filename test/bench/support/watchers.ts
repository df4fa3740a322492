// Many concurrent watchers of one apiserver face, in a child process (./watchers-process.ts)
// so that the writer's event loop, whose creates are timed, is not theirs. Receipts are
// stamped with the clock every process of the machine shares and come back when asked for,
// after the timed writes; meanwhile only a count.
import { fork, type ChildProcess } from 'node:child_process';
import type { DeliveryClock } from './apiserver.js';

/**
 * Milliseconds on CLOCK_MONOTONIC (process.hrtime: libuv's uv_hrtime), comparable between
 * processes. performance.timeOrigin + performance.now() is not quite: each process derives
 * its time origin from the wall clock once, at its start (a few ms apart were seen).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export type WatchersRequest = { count: number; marker: string; token: string } & (
  | { face: 'rest'; port: number; path: string }
  | { face: 'grpc'; address: string; resource: string; namespace: string; resourceVersion: string }
);

export type WatchersMessage =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'count'; n: number }
  /** Event numbers (the name is the marker and the number; -1: an untimed event) and the times they were read. */
  | { type: 'receipts'; seqs: number[]; at: number[] }
  | { type: 'collected' }
  | { type: 'stopped' };

export interface Watchers {
  /** The watchers' process, for its CPU accounting. */
  pid: number;
  /** Events read since the start (or the last reset), as last reported (every 100 ms). */
  delivered(): number;
  /** Forgets what was read so far (untimed warm-up events). */
  reset(): void;
  /** Hands every receipt to the clock. */
  collect(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `req.count` watchers in a child process; resolves when every one is streaming. Receipts go to `clock`. */
export async function startWatchers(req: WatchersRequest, clock: DeliveryClock): Promise<Watchers> {
  const child: ChildProcess = fork(new URL('./watchers-process.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopped: () => void = () => {};
  const stoppedMsg = new Promise<void>((r) => (stopped = r));
  let count = 0;
  let collected: (() => void) | undefined;
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: WatchersMessage) => {
        if (m.type === 'count') count = m.n;
        else if (m.type === 'receipts') {
          for (let i = 0; i < m.seqs.length; i++) if (m.seqs[i] >= 0) clock.received(`${req.marker}${m.seqs[i]}`, m.at[i]);
        }
        else if (m.type === 'collected') collected?.();
        else if (m.type === 'ready') resolve();
        else if (m.type === 'error') reject(new Error(`watchers: ${m.message}`));
        else if (m.type === 'stopped') stopped();
      });
      child.once('exit', (code) => reject(new Error(`the watchers' process exited (${code})`)));
      child.send(req);
    });
  } catch (err) {
    await kill();
    throw err;
  }
  return {
    pid: child.pid!,
    delivered: () => count,
    reset: () => {
      count = 0;
      child.send({ type: 'reset' });
    },
    collect: () =>
      new Promise<void>((resolve) => {
        collected = resolve;
        child.send({ type: 'collect' });
      }),
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' });
      await Promise.race([Promise.all([stoppedMsg, exited]), new Promise((r) => setTimeout(r, 5000))]);
      await kill();
    },
  };
}
