// The HTTP listener used while no REST face is wired: health and metrics only.
import http from 'node:http';
import type { Registry as PromRegistry } from 'prom-client';

export function createHealthServer(metrics: PromRegistry, ready: () => Promise<boolean>): http.Server {
  return http.createServer(async (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' || url === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (url === '/readyz') {
      const ok = await ready().catch(() => false);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'etcd not reachable');
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the REST API is not served by this build', reason: 'NotFound', code: 404 }),
      );
    }
  });
}
