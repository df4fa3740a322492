// The sync loop: any change in Services or Endpoints schedules one rebuild (debounced),
// which rewrites all our chains from the caches and re-asserts jumps, routes and sysctls.
import { accessSync, constants } from 'node:fs';
import type { KubeObject } from '@k8ts/api';
import { Informer, keyOf, type Client, type Logger } from '@k8ts/client';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { servicePorts } from './service-ports.js';
import { buildRules, buildCleanup } from './rules.js';
import { staleUdpCommands, type UdpState } from './conntrack.js';
import { run } from './exec.js';
import { ChainNames } from './chain-names.js';
import { Iptables, PermissionError, type Table, type TableState } from './iptables.js';
import { bridgeOfNetwork, ensureRoute, removeRoute, enableRouteLocalnet, restoreRouteLocalnet, enableHairpin } from './host-network.js';

export interface ProxierOptions {
  client: Client;
  log: Logger;
  metrics: Registry;
  chains: ChainNames;
  nodeName: string;
  network: string;
  /** Bridge device; found from the Docker network when absent. */
  bridge?: string;
  serviceClusterIpRange: string;
  loadBalancerPool: string;
  clusterCidr?: string;
  debounceMs: number;
  syncPeriodMs: number;
  stateDir: string;
}

export const PERMISSION_HELP =
  'k8ts proxy needs root or CAP_NET_ADMIN in the host network namespace to change iptables rules and routes. ' +
  'Run it with sudo on the host, or as a container with `--privileged --network host` ' +
  '(docker run --privileged --network host -v /var/run/docker.sock:/var/run/docker.sock ...).';

export class Proxier {
  readonly services: Informer;
  readonly endpoints: Informer;
  private readonly ipt: Iptables;
  private timer?: NodeJS.Timeout;
  private periodic?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  lastSyncOk = false;
  lastError?: string;
  private readonly syncs: Counter;
  private readonly latency: Histogram;
  private readonly rules: Gauge;

  constructor(private readonly o: ProxierOptions) {
    this.ipt = new Iptables(o.chains);
    const changed = () => this.schedule();
    const cache = (resource: string) => new Informer(o.client, { resource, logger: o.log }).addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.services = cache('services');
    this.endpoints = cache('endpoints');
    this.syncs = new Counter({ name: 'k8ts_proxy_sync_total', help: 'Rule syncs by result', labelNames: ['result'], registers: [o.metrics] });
    this.latency = new Histogram({
      name: 'k8ts_proxy_sync_duration_seconds',
      help: 'Time to rebuild and write all rules',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [o.metrics],
    });
    this.rules = new Gauge({ name: 'k8ts_proxy_rules', help: 'Rules written by the last sync', registers: [o.metrics] });
  }

  get stateFile(): string {
    return `${this.o.stateDir}/route_localnet.orig`;
  }

  async start(): Promise<void> {
    await checkHostAccess(this.o.chains);
    try {
      enableRouteLocalnet(this.stateFile);
    } catch (e) {
      throw new PermissionError(`${PERMISSION_HELP} (route_localnet: ${String(e)})`);
    }
    await Promise.all([this.services.start().waitForSync(), this.endpoints.start().waitForSync()]);
    await this.syncNow();
    this.periodic = setInterval(() => this.schedule(), this.o.syncPeriodMs);
    this.periodic.unref();
  }

  schedule(): void {
    if (this.stopped || !this.services.hasSynced() || !this.endpoints.hasSynced()) return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.syncNow();
    }, this.o.debounceMs);
  }

  /** Runs one sync now, or one more right after the one in flight. */
  async syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncOnce(): Promise<void> {
    const t0 = process.hrtime.bigint();
    try {
      const endpoints = new Map<string, KubeObject>(this.endpoints.list().map((e) => [keyOf(e), e]));
      const ports = servicePorts(this.services.list(), endpoints);
      const states = { nat: await this.ipt.save('nat'), filter: await this.ipt.save('filter') } as Record<Table, TableState>;
      const rules = buildRules(
        ports,
        { chains: this.o.chains, nodeName: this.o.nodeName, rejectRanges: [this.o.serviceClusterIpRange, this.o.loadBalancerPool], clusterCidr: this.o.clusterCidr },
        { nat: states.nat.chains, filter: states.filter.chains },
      );
      await this.ipt.restore(rules.text);
      // Jumps go in after the chains exist. The restore touched only our chains, so the
      // built-in chains read before it are still current.
      const moved = await this.ipt.ensureJumps(states);
      if (moved) this.o.log.info({ jumps: moved }, 'inserted jump rules');
      // Another proxy's cleanup may have put route_localnet back while we still need it.
      enableRouteLocalnet(this.stateFile);
      await this.clearStaleUdp(ports);
      await this.ensureRoutes();
      this.rules.set(rules.ruleCount);
      this.syncs.inc({ result: 'ok' });
      if (!this.lastSyncOk) this.o.log.info({ servicePorts: ports.length, rules: rules.ruleCount }, 'rules in sync');
      this.lastSyncOk = true;
      this.lastError = undefined;
    } catch (e) {
      this.syncs.inc({ result: 'error' });
      this.lastSyncOk = false;
      // Log a failure when it first shows or changes, not on every retry.
      if (this.lastError !== String(e)) {
        this.o.log.error({ err: String(e), reason: e instanceof PermissionError ? 'NoPermission' : 'SyncFailed' }, e instanceof PermissionError ? PERMISSION_HELP : 'sync failed, retrying every second');
      }
      this.lastError = String(e);
      if (!this.stopped) setTimeout(() => this.schedule(), 1000).unref();
    } finally {
      this.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }

  private udpState = new Map<string, UdpState>();
  private conntrackMissing = false;
  private async clearStaleUdp(ports: ReturnType<typeof servicePorts>): Promise<void> {
    const { next, commands } = staleUdpCommands(this.udpState, ports);
    this.udpState = next;
    for (const args of commands) {
      if (this.conntrackMissing) return;
      const r = await run('conntrack', args);
      // Exit 1 with "0 flow entries": nothing to delete.
      if (r.code === 127) {
        this.conntrackMissing = true;
        this.o.log.warn({ reason: 'NoConntrackTool' }, 'conntrack tool not installed: stale UDP flows to removed endpoints last until they time out (apt-get install conntrack)');
      }
    }
  }

  private warnedNoBridge = false;
  private async ensureRoutes(): Promise<void> {
    let dev = this.o.bridge;
    if (!dev) {
      try {
        dev = await bridgeOfNetwork(this.o.network);
      } catch (e) {
        throw new Error(`cannot find the bridge of Docker network ${this.o.network} (${String(e)}): give the proxy the Docker socket (-v /var/run/docker.sock:/var/run/docker.sock) or --bridge <dev>`);
      }
    }
    if (!dev) {
      if (!this.warnedNoBridge) this.o.log.warn({ network: this.o.network }, 'docker network not found; service ranges not routed yet');
      this.warnedNoBridge = true;
      // The cluster network may come up after the proxy: look again soon.
      if (!this.stopped) setTimeout(() => this.schedule(), 2000).unref();
      return;
    }
    this.warnedNoBridge = false;
    for (const range of [this.o.serviceClusterIpRange, this.o.loadBalancerPool]) {
      if (await ensureRoute(range, dev)) this.o.log.info({ range, dev }, 'routed service range through the cluster bridge');
    }
    const hairpins = await enableHairpin(dev);
    if (hairpins) this.o.log.debug({ dev, ports: hairpins }, 'hairpin mode on for new bridge ports');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    this.services.stop();
    this.endpoints.stop();
    await this.running;
  }
}

/** Fails fast, with the way out, when this process may not change the host's tables. */
export async function checkHostAccess(chains: ChainNames): Promise<void> {
  try {
    await new Iptables(chains).save('nat');
  } catch (e) {
    if (e instanceof PermissionError) throw new PermissionError(`${PERMISSION_HELP} (${e.message})`);
    throw e;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    try {
      accessSync('/proc/sys/net/ipv4/conf/all/route_localnet', constants.W_OK);
    } catch {
      throw new PermissionError(`${PERMISSION_HELP} (cannot write /proc/sys/net/ipv4/conf/all/route_localnet)`);
    }
  }
}

/** Removes every jump, chain and route of this proxy and restores route_localnet. */
export async function cleanup(opts: { chains: ChainNames; ranges: string[]; stateDir: string; log?: Logger }): Promise<void> {
  const ipt = new Iptables(opts.chains);
  await ipt.removeJumps();
  const nat = await ipt.save('nat');
  const filter = await ipt.save('filter');
  const text = buildCleanup(opts.chains, { nat: nat.chains, filter: filter.chains });
  if (text) await ipt.restore(text);
  for (const range of opts.ranges) if (await removeRoute(range)) opts.log?.info({ range }, 'removed route');
  // Another proxy (another k8ts, or kube-proxy) still serving node ports needs route_localnet.
  const natAfter = await ipt.save('nat');
  const othersNeedIt = [...natAfter.chains].some((c) => c.endsWith('-NODEPORTS'));
  restoreRouteLocalnet(`${opts.stateDir}/route_localnet.orig`, othersNeedIt);
  opts.log?.info({ prefix: opts.chains.prefix }, 'removed all proxy rules');
}
