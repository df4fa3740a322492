// The abusers' process (forked by test/soak/run.ts): the soak's main process keeps its
// monitors in a process the abuse does not slow down. It receives the AbuseConfig as its
// first IPC message, runs the chosen kinds at once, sends its tally every 2 s and at the end,
// and stops on 'stop' (or when its parent goes away).
import type { AbuseKind } from '../tally.js';
import { Abuse, type AbuseConfig } from './context.js';
import { flood } from './flood.js';
import { bigBodies } from './big-bodies.js';
import { slowBodies } from './slow-bodies.js';
import { fuzz } from './fuzz.js';
import { watchStorms } from './watch-storm.js';

const RUNNERS: Record<AbuseKind, (a: Abuse) => Promise<void>> = {
  flood,
  'big-bodies': bigBodies,
  'slow-bodies': slowBodies,
  fuzz,
  'watch-storm': watchStorms,
};

const send = (m: unknown) => process.connected && process.send!(m);
// Ctrl-C reaches the whole process group: the soak's main process decides when to stop.
process.on('SIGINT', () => {});

process.once('message', (config: AbuseConfig) => {
  const a = new Abuse(config);
  process.on('message', (m) => m === 'stop' && a.stop());
  process.once('disconnect', () => a.stop());
  const ticker = setInterval(() => send({ type: 'tally', tally: a.tally.kinds }), 2000);
  void Promise.all(
    config.kinds.map((k) =>
      RUNNERS[k](a).catch((e) => {
        a.tally.sample(k, `abuser stopped: ${(e as Error).stack ?? e}`);
        a.tally.note(k, 'abuser crashed');
      }),
    ),
  ).then(() => {
    clearInterval(ticker);
    a.close();
    send({ type: 'done', tally: a.tally.kinds, events: a.tally.events });
    process.disconnect?.();
    // In-flight sockets (dropped watches, slow bodies) must not keep this process alive.
    setTimeout(() => process.exit(0), 500).unref();
  });
});
