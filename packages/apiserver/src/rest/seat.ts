// The request limiter on the REST face: a seat held until the response closes. Probes and
// /version are never held back (upstream's exempt "probes" flow schema); long-running requests
// (watches, logs, streams: the one check the audit asks too) hold no seat.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { holdSeat, isLongRunning, type RequestLimiter } from '../flowcontrol/index.js';
import type { Attributes } from '../authz/types.js';
import { sendStatus } from './respond.js';
import { statusFor } from './status.js';
import { isPublicPath } from './authorize.js';

/** False when the request must go no further: refused with 429, or its client left while it waited. */
export async function takeSeat(limiter: RequestLimiter | undefined, req: IncomingMessage, res: ServerResponse, attrs: Attributes): Promise<boolean> {
  if (!limiter || isPublicPath(attrs.path) || isLongRunning(attrs)) return true;
  const seated = await holdSeat(limiter, attrs.user, attrs.resource, (release) => res.once('close', release), () => req.destroyed || res.destroyed).catch((err: unknown) => statusFor(err));
  if (seated === true) return true;
  if (seated !== false) sendStatus(res, seated);
  return false;
}
