// The request limiter on the REST face: a seat held until the response closes. Probes and
// /version are never held back (upstream's exempt "probes" flow schema); long-running requests
// (watches, logs, streams: the one check the audit asks too) hold no seat.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { holdSeat, isLongRunning, type RequestLimiter } from '../flowcontrol/index.js';
import type { RequestUser } from '../registry/types.js';
import type { Route } from './route.js';
import { sendStatus } from './respond.js';
import { statusFor } from './status.js';
import { isPublicPath, requestAttributes } from './authorize.js';

/** False when the request must go no further: refused with 429, or its client left while it waited. */
export async function takeSeat(limiter: RequestLimiter | undefined, req: IncomingMessage, res: ServerResponse, user: RequestUser, method: string, path: string, route: Route | undefined, q: URLSearchParams): Promise<boolean> {
  if (!limiter || isPublicPath(path) || isLongRunning(requestAttributes(user, method, path, route, q))) return true;
  const resource = route?.type === 'resource' ? route.resource : '';
  const seated = await holdSeat(limiter, user, resource, (release) => res.once('close', release), () => req.destroyed || res.destroyed).catch((err: unknown) => statusFor(err));
  if (seated === true) return true;
  if (seated !== false) sendStatus(res, seated);
  return false;
}
