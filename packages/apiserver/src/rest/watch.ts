// Watches as kube-apiserver streams them: headers at once, then one JSON event per line
// ({"type","object"}), objects as Tables when the client asked for Tables; ends cleanly at
// timeoutSeconds, on an ERROR event (410 Expired: relist) or when the client leaves.
import type { Socket } from 'node:net';
import { escapeFieldValue, type WatchEvent } from '@k8ts/api';
import type { WatchOptions } from '@k8ts/client';
import type { RequestContext } from './context.js';
import { isTrue, watchTimeoutMs } from './query.js';
import { includeObjectParam } from './respond.js';
import { statusFor } from './status.js';
import { encodeWatchEvent, watchFormat } from './watch-encoding.js';
import { whenDelivered } from '../storage/watch-cache/fan-out.js';

const MAX_WATCH_BACKLOG = 32 * 1024 * 1024;

// long: a watch response's life (options, headers, back-pressure, bookmarks, timeout,
// end) in one place, its handlers sharing the response and the backlog count.
export function serveWatch(ctx: RequestContext, resource: string, namespace: string | undefined): void {
  const { req, res, url, deps, output } = ctx;
  const q = url.searchParams;
  const opts: WatchOptions = {};
  if (namespace !== undefined) opts.namespace = namespace;
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = ls;
  let fs = q.get('fieldSelector') ?? '';
  // GET .../pods/<name>?watch=1 watches one object.
  if (ctx.route.name) {
    const one = `metadata.name=${escapeFieldValue(ctx.route.name)}`;
    fs = fs ? `${fs},${one}` : one;
  }
  if (fs) opts.fieldSelector = fs;
  const rv = q.get('resourceVersion');
  if (rv) opts.resourceVersion = rv;
  if (isTrue(q.get('allowWatchBookmarks'))) opts.allowBookmarks = true;
  const timeoutMs = watchTimeoutMs(q);

  const format = watchFormat(resource, output, output.as === 'table' ? includeObjectParam(q) : 'Metadata', deps.logger);

  let headersSent = false;
  let first = true;
  let ended = false;
  // Events go straight to the socket as pre-framed chunks once the response owns it (the
  // usual case); otherwise through res.write, which frames them itself.
  let socket: Socket | undefined;
  const sendHeaders = () => {
    if (headersSent) return;
    headersSent = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const s = res.socket;
    if (s && (s as unknown as { _httpMessage?: unknown })._httpMessage === res && !s.destroyed) socket = s;
  };

  // Events of one etcd watch response reach a watcher in one write, made within the
  // fan-out's slice (../storage/watch-cache/fan-out.ts).
  let pending: Buffer[] = [];
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (ended || !pending.length) return;
    const out = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    if (socket) {
      socket.write(out);
      if (socket.writableLength > MAX_WATCH_BACKLOG) {
        // A watcher that does not read would hold every event in memory: cut it off, as
        // kube-apiserver does; its client re-watches from its last resourceVersion.
        deps.logger.warn({ resource, backlog: socket.writableLength }, 'closing a watch that does not keep up');
        finish();
      }
    } else res.write(out);
  };
  const enqueue = (ev: WatchEvent) => {
    const enc = encodeWatchEvent(ev, format, first);
    if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') first = false;
    pending.push(socket ? enc.chunk : enc.line);
    if (!flushQueued) {
      flushQueued = true;
      whenDelivered(flush);
    }
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
        enqueue(ev);
      } catch (e) {
        flush();
        res.write(`${JSON.stringify({ type: 'ERROR', object: statusFor(e) })}\n`);
        finish();
        return;
      }
      if (ev.type === 'ERROR') {
        flush();
        finish();
      }
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
