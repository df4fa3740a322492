// GET pods/<name>/log: the container's log as chunked plain text, pumped from the pod's
// agent through the tunnel; `follow` keeps the response open until the container stops or
// the client leaves.
import type { ResourceInfo } from '@k8ts/api';
import type { RequestContext } from '../context.js';
import { isTrue } from '../query.js';
import { badRequest } from '../status.js';
import { sendStatus } from '../respond.js';
import { resolveTarget, closeStatus, intParam } from './target.js';

export async function serveLogs(ctx: RequestContext, _info: ResourceInfo, namespace: string, name: string): Promise<void> {
  const q = ctx.url.searchParams;
  const target = await resolveTarget(ctx.deps, namespace, name, q.get('container'), true);
  const params: Record<string, unknown> = {
    container: target.container,
    follow: isTrue(q.get('follow')),
    timestamps: isTrue(q.get('timestamps')),
    previous: isTrue(q.get('previous')),
  };
  const tailLines = intParam(q, 'tailLines');
  if (tailLines !== undefined) params.tailLines = tailLines;
  const sinceSeconds = intParam(q, 'sinceSeconds');
  if (sinceSeconds !== undefined) params.sinceSeconds = sinceSeconds;
  const limitBytes = intParam(q, 'limitBytes');
  if (limitBytes !== undefined) params.limitBytes = limitBytes;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: parsing time ${JSON.stringify(sinceTime)} as RFC 3339: cannot parse`);
    params.sinceTime = sinceTime;
  }

  const stream = target.tunnel.open(target.nodeName, { kind: 'log', namespace, pod: name, podUid: target.pod.metadata.uid ?? '', params });
  const { req, res } = ctx;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  // Headers wait briefly for the agent, so that an error (no such container, not started)
  // still arrives as a Status with its code.
  const headerTimer = setTimeout(start, 1000);
  await new Promise<void>((resolve) => {
    stream.on('data', (_channel: number, data: Buffer) => {
      start();
      res.write(data);
    });
    stream.on('close', (statusJson: string) => {
      clearTimeout(headerTimer);
      const status = closeStatus(statusJson);
      if (!started && status) sendStatus(res, status);
      else {
        start();
        res.end();
      }
      resolve();
    });
    req.on('close', () => {
      if (!stream.closed) stream.close();
    });
  });
}
