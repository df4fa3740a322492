// Watches as kube-apiserver streams them: headers at once, then one JSON event per line
// ({"type","object"}), objects as Tables when the client asked for Tables; ends cleanly at
// timeoutSeconds, on an ERROR event (410 Expired: relist) or when the client leaves.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { WatchOptions } from '@k8ts/client';
import type { RequestContext } from './context.js';
import { isTrue, watchTimeoutMs } from './query.js';
import { toTable, partialObjectMetadata } from './tables/index.js';
import { includeObjectParam } from './respond.js';
import { statusFor } from './status.js';
import { encodeShared } from '../registry/watch-event.js';

export function serveWatch(ctx: RequestContext, resource: string, namespace: string | undefined): void {
  const { req, res, url, deps, output } = ctx;
  const q = url.searchParams;
  const opts: WatchOptions = {};
  if (namespace !== undefined) opts.namespace = namespace;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = ls;
  let fs = q.get('fieldSelector') ?? '';
  // GET .../pods/<name>?watch=1 watches one object.
  if (ctx.route.name) fs = fs ? `${fs},metadata.name=${ctx.route.name}` : `metadata.name=${ctx.route.name}`;
  if (fs) opts.fieldSelector = fs;
  const rv = q.get('resourceVersion');
  if (rv) opts.resourceVersion = rv;
  if (isTrue(q.get('allowWatchBookmarks'))) opts.allowBookmarks = true;
  const timeoutMs = watchTimeoutMs(q);
  const includeObject = output.as === 'table' ? includeObjectParam(q) : 'Metadata';

  let headersSent = false;
  let first = true;
  let ended = false;
  const sendHeaders = () => {
    if (headersSent) return;
    headersSent = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };

  const encode = (ev: WatchEvent): string => {
    let object: unknown = ev.object;
    if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      if (output.as === 'table') {
        object = toTable(resource, [ev.object as KubeObject], {
          version: output.version,
          includeObject,
          resourceVersion: ev.object.metadata?.resourceVersion,
          noHeaders: !first,
        });
        first = false;
      } else if (output.as === 'partial') {
        object = partialObjectMetadata(ev.object as KubeObject, output.version);
      }
    }
    // Plain objects are shared by every watcher of an event: serialise each once.
    const json = object === ev.object && object && typeof object === 'object' ? encodeShared(object) : JSON.stringify(object);
    return `{"type":${JSON.stringify(ev.type)},"object":${json}}\n`;
  };

  let watch: { stop(): void } | undefined;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    watch?.stop();
    deps.metrics.watches.dec({ resource });
    sendHeaders();
    res.end();
  };
  const timer = setTimeout(finish, timeoutMs);
  deps.metrics.watches.inc({ resource });
  req.on('close', finish);
  res.on('error', finish);

  try {
    watch = deps.registry.watch(resource, opts, (ev) => {
      if (ended) return;
      sendHeaders();
      try {
        res.write(encode(ev));
      } catch (e) {
        res.write(`${JSON.stringify({ type: 'ERROR', object: statusFor(e) })}\n`);
        finish();
        return;
      }
      if (ev.type === 'ERROR') finish();
    });
  } catch (e) {
    // A bad selector or resourceVersion is answered before streaming, as Kubernetes does.
    const status = statusFor(e);
    if (!headersSent) {
      headersSent = true;
      res.writeHead(status.code ?? 500, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify(status));
    } else {
      res.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    }
    finish();
    return;
  }
  if (ended) watch.stop();
  else sendHeaders();
}
