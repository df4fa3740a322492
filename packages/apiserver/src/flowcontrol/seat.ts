// Taking a seat around one request, for both faces. A seat granted after the client went away
// is handed back at once, so an abandoned queued request never leaks one.
import type { UserInfo } from '../auth/types.js';
import type { RequestLimiter } from './limiter.js';
import type { Release } from './priority-level.js';

/** Runs `fn` in a seat of the user's priority level; rejects with 429 when none is to be had. */
export async function withSeat<T>(limiter: RequestLimiter | undefined, user: UserInfo, resource: string, fn: () => Promise<T>): Promise<T> {
  if (!limiter) return fn();
  const seat = limiter.admit(user, resource);
  const release: Release = typeof seat === 'function' ? seat : await seat;
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * A seat held until `done` fires (a REST response's close); `gone()` says whether the
 * client left while the request waited, in which case the seat goes back at once.
 */
export async function holdSeat(limiter: RequestLimiter, user: UserInfo, resource: string, onDone: (release: Release) => void, gone: () => boolean): Promise<boolean> {
  const seat = limiter.admit(user, resource);
  const release: Release = typeof seat === 'function' ? seat : await seat;
  if (gone()) {
    release();
    return false;
  }
  onDone(release);
  return true;
}
