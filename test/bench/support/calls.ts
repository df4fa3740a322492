// How the benchmarks call the API on a loaded machine: many callers at once over a list, and a
// call made again after a dropped connection or a busy apiserver (an overloaded machine misses
// gRPC keepalives), where an answer such as the 409 of a retried create that went through
// counts as done.
import { setTimeout as sleep } from 'node:timers/promises';

/** f over every item, `concurrency` calls in flight. */
export async function pool<T>(items: T[], concurrency: number, f: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

/** An error with one of these API codes (a done predicate for retrying). */
export const codeIs =
  (...codes: number[]) =>
  (e: unknown): boolean =>
    codes.includes((e as { code?: number }).code ?? -1);

/** f's answer, after up to 10 tries on a transport failure or a 429/503/504; undefined when `done` accepts the error. */
export async function retrying<R>(f: () => Promise<R>, done: (e: unknown) => boolean = () => false): Promise<R | undefined> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (done(e)) return undefined;
      const transport = codeIs(429, 503, 504)(e) || /RST_STREAM|Connection dropped|UNAVAILABLE/.test((e as Error).message);
      if (!transport || i >= 10) throw e;
      await sleep(500);
    }
  }
}
