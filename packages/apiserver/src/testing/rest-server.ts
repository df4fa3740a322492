// The REST face over the real registry on the in-memory etcd (storage/memory-kv.ts), listening
// on a free loopback port: what the REST unit tests drive. stop() closes everything it started.
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { createRestServer } from '../rest/index.js';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { TunnelHub } from '../tunnel/index.js';

export interface TestRestServer {
  base: string;
  registry: EtcdRegistry;
  memory: ReturnType<typeof memoryStore>;
  hub: TunnelHub;
  metricsRegistry: MetricsRegistry;
  stop(): Promise<void>;
}

export interface TestRestServerOptions {
  /** The bearer token that authenticates as an admin; without one every request is the admin. */
  token?: string;
  logger?: Logger;
  bookmarkIntervalMs?: number;
}

export async function startTestRestServer(opts: TestRestServerOptions = {}): Promise<TestRestServer> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const memory = memoryStore(logger);
  const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger, bookmarkIntervalMs: opts.bookmarkIntervalMs } });
  const hub = new TunnelHub();
  const metricsRegistry = new MetricsRegistry();
  const admin = { name: 'admin', groups: ['system:masters'] };
  const server = createRestServer({
    registry,
    authenticate: async (c) => (opts.token === undefined || c.authorization === `Bearer ${opts.token}` ? admin : null),
    logger,
    metricsRegistry,
    tunnel: hub,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  await registry.ensureSystemNamespaces();
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    registry,
    memory,
    hub,
    metricsRegistry,
    async stop() {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await registry.close();
    },
  };
}
