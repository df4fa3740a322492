// How the integration tests wait for the cluster: poll a check until it gives a value; an
// error counts as "not yet", and the last one is named if time runs out.
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(what: string, f: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
