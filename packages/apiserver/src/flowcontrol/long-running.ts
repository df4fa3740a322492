// Requests that stay open for as long as the client wants. kube-apiserver has one check for
// them, its LongRunningFunc genericfilters.BasicLongRunningRequestCheck(verbs watch, proxy;
// subresources attach, exec, proxy, log, portforward; and /debug/pprof/), asked by both the
// audit filter (ResponseStarted is written for them) and the max-in-flight / priority and
// fairness filter (they hold no seat, or one watch would keep a seat for hours). The
// subresource decides, not `follow`: a plain log read is long-running too, as upstream.
import type { Attributes } from '../authz/types.js';

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(a: Pick<Attributes, 'verb' | 'resourceRequest' | 'subresource' | 'path'>): boolean {
  if (LONG_RUNNING_VERBS.has(a.verb)) return true;
  if (a.resourceRequest) return LONG_RUNNING_SUBRESOURCES.has(a.subresource);
  return a.path.startsWith('/debug/pprof/');
}
