// k8ts ingress: a small ingress controller. It serves the Ingresses of the IngressClasses
// whose controller is --controller-name (k8ts.io/ingress-controller; `k8ts` is the cluster's
// default class), routing HTTP on one host port by host and path to the ready endpoints of
// the backend Services (pod IPs, reachable from the host on the cluster network), and
// writes its address into each served Ingress's status.
import { Informer, componentClient, componentOps, createLogger, type ComponentClientOptions } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { buildRouteTable, type RouteTable } from './routes.js';
import { ownClasses, isServed, DEFAULT_CONTROLLER_NAME, type ClassSelection } from './classes.js';
import { SERVICE_NAME_LABEL, type BackendLookup } from './backends.js';
import { IngressServer } from './server.js';
import { StatusLoop } from './status.js';
import { ingressMetrics } from './metrics.js';

export { buildRouteTable, matchRoute, normalizeHost, pathMatches, type Backend, type Route, type RouteTable } from './routes.js';
export { resolveEndpoints, type Endpoint, type Unavailable } from './backends.js';
export { ownClasses, isServed, classOf, DEFAULT_CONTROLLER_NAME } from './classes.js';
export { desiredLoadBalancer } from './status.js';

export const DEFAULT_INGRESS_PORT = 8080;

/** opsPort defaults to 10246. */
export interface IngressOptions extends ComponentClientOptions {
  /** "ip:port" to serve HTTP on (default 0.0.0.0:8080; port 0 picks one). */
  listen?: string;
  /** The IP written into the Ingresses' status (default: the listen address, 127.0.0.1 for 0.0.0.0). */
  publishAddress?: string;
  controllerName?: string;
  maxHeaderSize?: number;
}

export interface RunningIngress {
  port: number;
  host: string;
  opsPort: number;
  address: string;
  synced(): boolean;
  stop(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen must be ip:port, not ${JSON.stringify(listen)}`);
  return { host: m[1] ?? m[2]!, port };
}

export async function startIngress(opts: IngressOptions = {}): Promise<RunningIngress> {
  const log = createLogger('ingress');
  const listen = parseListen(opts.listen ?? `0.0.0.0:${DEFAULT_INGRESS_PORT}`);
  const address = opts.publishAddress ?? (listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host);
  const controller = opts.controllerName ?? DEFAULT_CONTROLLER_NAME;
  const { ops, release } = await componentOps('ingress', opts, 10246);
  const metrics = ingressMetrics(ops.registry);
  const client = componentClient(opts);
  const inf = (resource: string) => new Informer(client, { resource, logger: log });
  const ingresses = inf('ingresses');
  const classes = inf('ingressclasses');
  const services = inf('services');
  const slices = inf('endpointslices').addIndexer('service', (s: KubeObject) => {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
  });
  const caches = [ingresses, classes, services, slices];

  // The route table is rebuilt on the first request after an Ingress or IngressClass changed.
  let selection: ClassSelection | undefined;
  let table: RouteTable | undefined;
  const currentSelection = () => (selection ??= ownClasses(classes.list(), controller));
  const routes = () => {
    if (!table) {
      const served = ingresses.list().filter((i) => isServed(i, currentSelection()));
      table = buildRouteTable(served);
      metrics.ingresses.set(served.length);
    }
    return table;
  };
  const statusLoop = new StatusLoop({ client, ingresses, selection: currentSelection, address, log, metrics });
  const dirty = () => (table = undefined);
  ingresses.addEventHandler({ onAdd: dirty, onUpdate: dirty, onDelete: dirty });
  const classChanged = () => {
    selection = table = undefined;
    statusLoop.enqueueAll();
  };
  classes.addEventHandler({ onAdd: classChanged, onUpdate: classChanged, onDelete: classChanged });

  const lookup: BackendLookup = {
    service: (ns, name) => services.getByName(ns, name),
    slices: (ns, svc) => slices.byIndex('service', `${ns}/${svc}`),
  };
  const server = new IngressServer({ host: listen.host, port: listen.port, routes, lookup, log, metrics, maxHeaderSize: opts.maxHeaderSize });
  const synced = () => caches.every((c) => c.hasSynced());
  ops.addReadyCheck('caches-synced', synced);
  try {
    await Promise.all(caches.map((c) => c.start().waitForSync()));
    await server.start();
  } catch (e) {
    await Promise.all(caches.map((c) => c.stop()));
    await server.stop().catch(() => {});
    if (!opts.client) client.close();
    await release();
    throw e;
  }
  statusLoop.run();
  routes();
  log.info({ listen: `${listen.host}:${server.port}`, address, controller }, 'ingress controller started');
  return {
    port: server.port,
    host: listen.host,
    opsPort: ops.port,
    address,
    synced,
    async stop() {
      await statusLoop.stop();
      await Promise.all(caches.map((c) => c.stop()));
      await server.stop();
      if (!opts.client) client.close();
      await release();
    },
  };
}
