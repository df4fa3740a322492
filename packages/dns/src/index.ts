// k8ts dns: the cluster.local zone from Services, EndpointSlices and Pods; every other name is
// relayed to the host's resolver.
import { Informer, componentClient, componentOps, createLogger, type ComponentClientOptions } from '@k8ts/client';
import { buildZone, type ZoneIndex } from './records.js';
import { DnsServer } from './server.js';
import { parseHostPort, resolvConfNameservers, type Upstream } from './upstream.js';

export { buildZone, type ZoneIndex } from './records.js';
export { answer } from './answer.js';
export { DnsServer } from './server.js';

/** opsPort defaults to 10054. */
export interface DnsOptions extends ComponentClientOptions {
  /** "ip:port"; default 10.213.0.1:53 (the cluster network's gateway). Port 0 picks one. */
  listen?: string;
  /** "ip:port[,ip:port]"; default: the nameservers of /etc/resolv.conf. */
  upstream?: string;
  clusterDomain?: string;
  resolvConf?: string;
  /** Keep retrying while the listen address does not exist on this host (default true). */
  waitForAddress?: boolean;
}

export interface RunningDns {
  /** The UDP and TCP port in use. */
  port: number;
  host: string;
  opsPort: number;
  upstreams: Upstream[];
  /** Resolves once every cache has listed. */
  synced(): boolean;
  stop(): Promise<void>;
}

export async function startDns(opts: DnsOptions = {}): Promise<RunningDns> {
  const log = createLogger('dns');
  const zone = (opts.clusterDomain ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
  const listen = parseHostPort(opts.listen ?? '10.213.0.1:53', 53);
  const ownAddress = (u: Upstream) => u.host === listen.host && u.port === listen.port;
  const upstreams = (opts.upstream ? opts.upstream.split(',').map((s) => parseHostPort(s, 53)) : resolvConfNameservers(opts.resolvConf)).filter((u) => !ownAddress(u));
  if (!upstreams.length) log.warn({ reason: 'NoUpstream' }, 'no upstream nameserver: names outside the cluster get SERVFAIL');

  const { ops, release } = await componentOps('dns', opts, 10054);
  const client = componentClient(opts);
  let index: ZoneIndex | undefined;
  const dirty = () => (index = undefined);
  const cache = (resource: string) => new Informer(client, { resource, logger: log }).addEventHandler({ onAdd: dirty, onUpdate: dirty, onDelete: dirty });
  const caches = [cache('services'), cache('endpointslices'), cache('pods')] as const;
  const currentIndex = () => (index ??= buildZone(zone, caches[0].list(), caches[1].list(), caches[2].list()));

  const server = new DnsServer({ host: listen.host, port: listen.port, zone, index: currentIndex, upstreams, log, metrics: ops.registry });
  const synced = () => caches.every((c) => c.hasSynced());
  ops.addReadyCheck('caches-synced', synced);
  try {
    await Promise.all(caches.map((c) => c.start().waitForSync()));
    // The gateway address appears only once the cluster network exists; wait for it.
    for (let warned = false; ; ) {
      try {
        await server.start();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL' || opts.waitForAddress === false) throw e;
        if (!warned) log.warn({ listen: `${listen.host}:${listen.port}`, reason: 'AddressNotOnHost' }, 'listen address not on this host yet (cluster network down?); retrying');
        warned = true;
        await server.stop().catch(() => {});
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } catch (e) {
    for (const c of caches) c.stop();
    await server.stop().catch(() => {});
    if (!opts.client) client.close();
    await release();
    throw e;
  }
  log.info({ listen: `${listen.host}:${server.port}`, zone, upstreams: upstreams.map((u) => `${u.host}:${u.port}`) }, 'dns started');
  return {
    port: server.port,
    host: listen.host,
    opsPort: ops.port,
    upstreams,
    synced,
    async stop() {
      for (const c of caches) c.stop();
      await server.stop();
      if (!opts.client) client.close();
      await release();
    },
  };
}

/** The codec this component uses, for tests and benchmarks that speak DNS to it. */
export { default as dnsPacket } from 'dns-packet';
