// k8ts proxy: Service virtual IPs, node ports and load-balancer addresses as iptables NAT
// rules in the host network namespace (kube-proxy's iptables mode).
import { componentClient, componentOps, createLogger, type ComponentClientOptions } from '@k8ts/client';
import { ChainNames } from './chain-names.js';
import { Proxier, cleanup, checkHostAccess } from './proxier.js';

export { buildRules, buildCleanup, type RuleConfig, type RuleSet } from './rules.js';
export { servicePorts, type ServicePortInfo } from './service-ports.js';
export { ChainNames, hash16 } from './chain-names.js';
export { PERMISSION_HELP } from './proxier.js';
export { PermissionError } from './iptables.js';

/** opsPort defaults to 10256. */
export interface ProxyOptions extends ComponentClientOptions {
  nodeName?: string;
  network?: string;
  bridge?: string;
  serviceClusterIpRange?: string;
  loadBalancerPool?: string;
  clusterCidr?: string;
  /** Chain name prefix (default K8TS); tests use their own so they never touch a running proxy's chains. */
  chainPrefix?: string;
  cleanupOnExit?: boolean;
  debounceMs?: number;
  syncPeriodMs?: number;
  stateDir?: string;
}

export interface RunningProxy {
  stop(): Promise<void>;
  /** Waits for the sync in flight (if any) and runs one more. */
  syncNow(): Promise<void>;
  opsPort: number;
  proxier: Proxier;
}

const defaults = (o: ProxyOptions) => ({
  chains: new ChainNames(o.chainPrefix ?? 'K8TS'),
  ranges: [o.serviceClusterIpRange ?? '10.96.0.0/16', o.loadBalancerPool ?? '10.214.0.0/24'],
  stateDir: o.stateDir ?? '/run/k8ts',
});

export async function startProxy(opts: ProxyOptions = {}): Promise<RunningProxy> {
  const { chains, ranges, stateDir } = defaults(opts);
  const log = createLogger('proxy');
  await checkHostAccess(chains);
  const { ops, release } = await componentOps('proxy', opts, 10256);
  const client = componentClient(opts);
  const nodeName = opts.nodeName ?? (await import('node:os')).hostname();
  const proxier = new Proxier({
    client,
    log,
    metrics: ops.registry,
    chains,
    nodeName,
    network: opts.network ?? 'k8ts',
    bridge: opts.bridge,
    serviceClusterIpRange: ranges[0]!,
    loadBalancerPool: ranges[1]!,
    clusterCidr: opts.clusterCidr,
    debounceMs: opts.debounceMs ?? 100,
    syncPeriodMs: opts.syncPeriodMs ?? 30_000,
    stateDir,
  });
  ops.addReadyCheck('rules-synced', () => proxier.lastSyncOk);
  try {
    await proxier.start();
  } catch (e) {
    await proxier.stop();
    if (!opts.client) client.close();
    await release();
    throw e;
  }
  log.info({ node: nodeName, prefix: chains.prefix, ranges }, 'proxy started');
  return {
    opsPort: ops.port,
    proxier,
    syncNow: () => proxier.syncNow(),
    async stop() {
      await proxier.stop();
      if (opts.cleanupOnExit) await cleanup({ chains, ranges, stateDir, log });
      if (!opts.client) client.close();
      await release();
    },
  };
}

/** `--cleanup`: removes every chain, jump rule and route of a proxy with these options. */
export async function cleanupProxy(opts: Pick<ProxyOptions, 'chainPrefix' | 'serviceClusterIpRange' | 'loadBalancerPool' | 'stateDir'> = {}): Promise<void> {
  const { chains, ranges, stateDir } = defaults(opts);
  await cleanup({ chains, ranges, stateDir, log: createLogger('proxy') });
}
