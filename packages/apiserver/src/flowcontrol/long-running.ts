// Requests that stay open for as long as the client wants (kube-apiserver's
// --long-running-request-regexp and its LongRunningRequestCheck): they hold no seat, as upstream
// exempts them from max-inflight, or one watch would keep a seat for hours.
import { resourceVerb } from '../authz/request-attributes.js';
import type { Route } from '../rest/route.js';

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);
const truthy = (v: string | null) => v === 'true' || v === '1';

export function isLongRunningRest(method: string, route: Route | undefined, q: URLSearchParams): boolean {
  if (route?.type !== 'resource') return false;
  if (resourceVerb(method, route, q) === 'watch') return true;
  const sub = route.subresource ?? '';
  if (STREAMING_SUBRESOURCES.has(sub)) return true;
  return sub === 'log' && truthy(q.get('follow'));
}
