// What every k8ts process exposes to operators: pino JSON logs tagged with the component,
// and one small HTTP server with /healthz, /readyz and Prometheus /metrics.
import http from 'node:http';
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { logFileStream } from './log-file.js';
import type { ComponentOpsOptions } from './component-options.js';

export type { Logger } from 'pino';

export function createLogger(component: string, extra: Record<string, unknown> = {}): Logger {
  const opts = {
    level: process.env.K8TS_LOG_LEVEL ?? 'info',
    base: { component, ...extra },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const file = logFileStream();
  return file ? pino(opts, file) : pino(opts);
}

export interface OpsServer {
  registry: Registry;
  port: number;
  /** A check that /readyz runs; any that returns false or throws makes it answer 503. */
  addReadyCheck(name: string, check: () => boolean | Promise<boolean>): void;
  /** Serves GET `path` with what `body` returns (the agent's /metrics/resource). */
  addRoute(path: string, body: () => Promise<{ contentType: string; text: string }>): void;
  close(): Promise<void>;
}

/**
 * Starts the operations endpoint. Port 0 picks a free port (see `.port`); a negative port
 * disables the listener but still gives a registry, so components need no special case.
 */
export async function startOpsServer(opts: { component: string; port: number; host?: string; registry?: Registry }): Promise<OpsServer> {
  const registry = opts.registry ?? new Registry();
  registry.setDefaultLabels({ component: opts.component });
  collectDefaultMetrics({ register: registry });
  const checks = new Map<string, () => boolean | Promise<boolean>>();
  const addReadyCheck = (name: string, check: () => boolean | Promise<boolean>) => void checks.set(name, check);
  const routes = new Map<string, () => Promise<{ contentType: string; text: string }>>();
  const addRoute = (path: string, body: () => Promise<{ contentType: string; text: string }>) => void routes.set(path, body);
  if (opts.port < 0) return { registry, port: -1, addReadyCheck, addRoute, close: async () => {} };

  const server = http.createServer(async (req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' || url === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (url === '/readyz') {
      const failed: string[] = [];
      for (const [name, check] of checks) {
        try {
          if (!(await check())) failed.push(name);
        } catch {
          failed.push(name);
        }
      }
      res.writeHead(failed.length ? 503 : 200, { 'content-type': 'text/plain' }).end(failed.length ? `not ready: ${failed.join(', ')}` : 'ok');
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    } else if (routes.has(url)) {
      try {
        const { contentType, text } = await routes.get(url)!();
        res.writeHead(200, { 'content-type': contentType }).end(text);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message);
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    registry,
    port,
    addReadyCheck,
    addRoute,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A component's way to its ops server: runComponent's (`ctx.ops`), started on first call from
 * --ops-port, once, and closed by the entry after the component's stop. Lazy, so a start that
 * ends at once (proxy --cleanup) never binds the port.
 */
export type OpsSource = () => Promise<OpsServer>;

/** What a component's start holds: the ops server, and `release` for its stop. */
export interface ComponentOps {
  ops: OpsServer;
  /** Closes the server if the component started it itself; the entry's is the entry's to close. */
  release(): Promise<void>;
}

/**
 * The ops server a component's start registers its ready checks and metrics on: the entry's
 * when run as a process, else (in-process callers: tests, benches) its own on `opsPort`.
 */
export async function componentOps(component: string, opts: ComponentOpsOptions, defaultPort: number): Promise<ComponentOps> {
  if (opts.ops) return { ops: await opts.ops(), release: async () => {} };
  const ops = await startOpsServer({ component, port: opts.opsPort ?? defaultPort });
  return { ops, release: () => ops.close() };
}
