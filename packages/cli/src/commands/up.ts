import { Listr } from 'listr2';
import Docker from 'dockerode';
import { Home, defaultConfig, networkFromSubnet, type ClusterConfig } from '../home.js';
import { ensureServingCert, ensureTokens } from '../tokens.js';
import { ensureClientCredential, firstServiceIp } from '../cluster-pki.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { preflight } from '../preflight.js';
import { componentSpecs, etcdArgs, etcdMetricsPort, EMBEDDED_ETCD_MEMBER, type ComponentSpec } from '../components.js';
import { ensureEtcdPki } from '../etcd-pki.js';
import { ensureAdmissionConfig } from '../admission-config.js';
import { ensureServiceAccountKey } from '../service-account-key.js';
import { componentExists, ensureCompiled, fromSource, recordedArgs, runningPid, startComponent, startDetached, stopProcess } from '../processes.js';
import { isNodeReady } from '@k8ts/api';
import { apiGet, apiSend, isReady, trustCertificate, waitFor } from '../api.js';
import { JOIN_CONFIGMAP, joinConfigMap, joinServiceAccounts, joinSettingsOf } from '../join/settings.js';
import { ensureImages, pushClusterImages } from './images.js';
import { registryInstalled, runningRegistry, startRegistry } from '../registry/process.js';
import { registryEndpoint, registryHost, registryStorage } from '../registry/layout.js';
import { saveRegistrySeed, seedRegistryStorage } from '../registry/seed.js';
import { ensureLan } from '../machines/setup.js';
import { ensureNetwork } from '../docker-cleanup.js';
import { machinesTasks, machinesPreflight } from '../machines/tasks.js';
import { machinesLayout } from '../machines/layout.js';
import { existsSync } from 'node:fs';
import { prefetchKeyPairs } from '@k8ts/client';

/** Certificates of a fresh home besides the agents' (CA, apiserver, etcd's CA, server, peer,
 * health check and apiserver client, scheduler, controller-manager, dns, ingress, proxy). */
const FRESH_HOME_KEYS = 12;

export interface UpOptions {
  agents?: number;
  nodePrefix?: string;
  apiPort?: number;
  grpcPort?: number;
  etcdPort?: number;
  network?: string;
  subnet?: string;
  serviceRange?: string;
  lbPool?: string;
  opsPortOffset?: number;
  ingressPort?: number;
  registryPort?: number;
  images?: boolean; // rebuild the local images even when present
  machines?: number; // hosts on this box, one node each (machines/layout.ts)
  podRoutes?: string; // host-gw or vxlan between the machines
  timeout?: number; // seconds to wait for nodes
}

export async function up(opts: UpOptions = {}): Promise<void> {
  const home = new Home();
  home.ensure();
  const previous = home.readConfig();
  const config: ClusterConfig = { ...defaultConfig, ...previous, ...layoutFromOptions(opts) };
  if (runningPid(home, 'apiserver') !== undefined) {
    console.log(`k8ts is already up (state in ${home.dir}); \`k8ts status\` shows it, \`k8ts down\` stops it.`);
    console.log(`export KUBECONFIG=${home.kubeconfig}`);
    return;
  }

  // A fresh home needs a key for each certificate (CA, apiserver, etcd's five, one per
  // component and node): made in parallel while the preflight's commands run.
  const keys = existsSync(home.path('pki', 'ca.key')) ? Promise.resolve() : prefetchKeyPairs(FRESH_HOME_KEYS + config.agents + (config.machines > 0 ? 1 : 0));
  const checks = preflight();
  for (const c of checks.filter((c) => !c.ok)) console.error(`${c.fatal ? 'missing' : 'warning'}: ${c.name}: ${c.help}`);
  if (checks.some((c) => !c.ok && c.fatal)) throw new Error('k8ts up cannot start: fix the missing pieces above');
  const root = process.getuid?.() === 0;
  if (config.machines > 0) machinesPreflight(config);

  home.writeConfig(config);
  await keys;
  const tokens = ensureTokens(home);
  // The gateway and the `kubernetes` Service's ClusterIP: how pods reach the apiserver.
  // With machines, also the host's LAN address, where their proxies and joining agents reach it.
  const lanIP = config.machines > 0 ? [machinesLayout(config, home).hostIP] : [];
  const cert = await ensureServingCert(home, ['127.0.0.1', config.gateway, firstServiceIp(config.serviceRange), ...lanIP].filter((ip): ip is string => !!ip));
  ensureAdmissionConfig(home);
  ensureServiceAccountKey(home);
  // etcd's own CA, its serving and peer certificates and the apiserver's client (kubeadm's layout).
  ensureEtcdPki(home.dir, [EMBEDDED_ETCD_MEMBER]);
  const server = `https://127.0.0.1:${config.apiPort}`;
  trustCertificate(Buffer.from(cert.caData, 'base64'));
  // Without Debian's docker-registry the cluster runs as before: images only where they were built.
  const registry = registryInstalled();
  const specs = componentSpecs(home, config, tokens, cert, (id) => ensureClientCredential(cert.pki, id), { registry }).filter((s) => componentExists(s.pkg) && (!s.needsRoot || root));
  const started = Date.now();
  const machines = machinesTasks(home, config, { registry });
  const cluster = registryTasks(home, config, registry);

  const tasks = new Listr(
    [
      ...buildTasks(opts),
      { title: `Network ${config.network} (${config.subnet})`, task: async () => ensureNetwork(config) },
      ...cluster.start,
      ...machines.start,
      { title: 'etcd', task: async () => startEtcd(home, config) },
      // Everything starts at once: the other components wait for the apiserver on their own
      // (informers relist, agents retry their registration), so their start-up overlaps its.
      ...componentTasks(home, specs, machines.ready),
      { title: 'apiserver ready', task: async () => waitFor('the apiserver', () => isReady(`${server}/readyz`), 60_000) },
      {
        title: 'Kubeconfig',
        task: async () => writeKubeconfig(home.kubeconfig, { server, token: tokens.admin, caData: cert.caData }),
      },
      {
        // What `k8ts join` on another host reads with its bootstrap token.
        title: `Join settings (${JOIN_CONFIGMAP.namespace}/${JOIN_CONFIGMAP.name}) and the service accounts of joined hosts' proxy and podnet`,
        enabled: () => config.machines > 0,
        task: async () => publishJoinSettings(server, tokens.admin, config, home, registry),
      },
      ...cluster.pushed,
      {
        title: `Waiting for ${config.agents} Ready nodes`,
        enabled: () => config.agents > 0 && specs.some((s) => s.pkg === 'agent'),
        task: async () => waitForReadyNodes(server, tokens.admin, config.agents, (opts.timeout ?? 120) * 1000),
      },
    ],
    { renderer: process.stdout.isTTY ? 'default' : 'simple', exitOnError: true },
  );
  await tasks.run();
  console.log(`k8ts is up in ${((Date.now() - started) / 1000).toFixed(1)}s; state, logs and tokens in ${home.dir}.`);
  console.log(`export KUBECONFIG=${home.kubeconfig}`);
}

/** The images and the compiled components, each only when something changed. */
function buildTasks(opts: UpOptions) {
  return [
    {
      title: 'Local images',
      // Staging and hashing the build contexts takes tens of seconds on a loaded machine:
      // `up` builds the images when one is absent (or with --images), `k8ts images` checks them all.
      task: async (_c: unknown, task: { skip(msg: string): void }) => {
        if (!opts.images && (await imagesPresent())) return task.skip('Local images present (`k8ts images` rebuilds changed ones)');
        await ensureImages({ force: opts.images });
      },
    },
    {
      title: 'Compiled components',
      // Never a stale dist: packages edited since their last build are built again first.
      task: async (_c: unknown, task: { title: string }) => {
        const built = await ensureCompiled(() => undefined);
        task.title = fromSource() ? 'Components from their TypeScript (K8TS_FROM_SOURCE=1)' : built.length ? `Compiled components (built ${built.join(', ')})` : 'Compiled components (up to date)';
      },
    },
  ];
}

/**
 * The registry (with machines also on the LAN, whose bridge comes first), then the cluster's
 * images in it: the push (seconds into an empty registry) goes on while the components start,
 * and `up` waits for it before the nodes, whose first pods may pull through it.
 */
function registryTasks(home: Home, config: ClusterConfig, registry: boolean) {
  const machines = config.machines > 0 ? machinesLayout(config, home) : undefined;
  let pushed: Promise<unknown> = Promise.resolve();
  const start = {
    title: `Cluster registry on ${registryHost(config)}${machines ? ` and ${registryEndpoint(config, machines)}` : ''}`,
    enabled: () => registry,
    task: async () => {
      if (machines) await ensureLan(machines);
      // An empty registry starts from the images an earlier `up` pushed (registry/seed.ts).
      const storage = registryStorage(home);
      const fresh = !runningRegistry(home, config) && seedRegistryStorage(storage);
      await startRegistry(home, config, machines);
      pushed = pushClusterImages(config).then((r) => {
        if (fresh) saveRegistrySeed(storage);
        return r;
      });
      // Awaited by the task below; until then a failure must not count as unhandled.
      pushed.catch(() => undefined);
    },
  };
  const done = { title: 'The cluster\'s images pushed to it', enabled: () => registry, task: async () => void (await pushed) };
  return { start: [start], pushed: [done] };
}

/** Server-side applied, so that `up` again brings them up to date. */
async function publishJoinSettings(server: string, token: string, config: ClusterConfig, home: Home, registry: boolean): Promise<void> {
  const apply = (path: string, obj: unknown) => apiSend(server, token, 'PATCH', `${path}?fieldManager=k8ts-up&force=true`, obj, 'application/apply-patch+yaml');
  await apply(`/api/v1/namespaces/${JOIN_CONFIGMAP.namespace}/configmaps/${JOIN_CONFIGMAP.name}`, joinConfigMap(joinSettingsOf(config, machinesLayout(config, home), { registry })));
  for (const sa of joinServiceAccounts()) await apply(`/api/v1/namespaces/kube-system/serviceaccounts/${(sa.metadata as { name: string }).name}`, sa);
}

/** A task per component; the machines' readiness before the first agent (agents need their engines). */
function componentTasks(home: Home, specs: ComponentSpec[], machinesReady: { title: string; task: () => Promise<void> }[]) {
  const firstAgent = specs.findIndex((s) => s.pkg === 'agent');
  return specs.flatMap((s, i) => [
    ...(i === firstAgent ? machinesReady : []),
    {
      title: s.name,
      task: async () => {
        if (runningPid(home, s.name) === undefined) startComponent(home, s);
      },
    },
  ]);
}

async function startEtcd(home: Home, config: ClusterConfig): Promise<void> {
  const args = etcdArgs(home, config);
  // An etcd left running with other flags (a plaintext one of an older k8ts) is restarted with these.
  if (runningPid(home, 'etcd') !== undefined && JSON.stringify(recordedArgs(home, 'etcd')) !== JSON.stringify(args)) await stopProcess(home, 'etcd');
  if (runningPid(home, 'etcd') === undefined) startDetached(home, 'etcd', 'etcd', args);
  // /health on the metrics listener: loopback, no client certificate (kubeadm's probe).
  await waitFor('etcd', () => isReady(`http://127.0.0.1:${etcdMetricsPort(config)}/health`), 30_000);
}

async function waitForReadyNodes(server: string, token: string, n: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `${n} Ready nodes`,
    async () => {
      const list = await apiGet(server, token, '/api/v1/nodes');
      return list.items.filter(isNodeReady).length >= n;
    },
    timeoutMs,
    250,
  );
}

async function imagesPresent(): Promise<boolean> {
  const { clusterImageTags } = await import('../images/build.js');
  const docker = new Docker();
  const found = await Promise.all(clusterImageTags().map((t) => docker.getImage(t).inspect().then(() => true, () => false)));
  return found.every(Boolean);
}

/** Options given on the command line win over the layout of an earlier `up` of this home. */
function layoutFromOptions(o: UpOptions): Partial<ClusterConfig> {
  const out: Partial<ClusterConfig> = {};
  if (o.agents !== undefined) out.agents = o.agents;
  // One node per machine; `--machines 0` goes back to the single-engine layout.
  if (o.machines !== undefined) Object.assign(out, { machines: o.machines }, o.machines > 0 ? { agents: o.machines } : {});
  if (o.podRoutes !== undefined) {
    if (o.podRoutes !== 'host-gw' && o.podRoutes !== 'vxlan') throw new Error(`--pod-routes: host-gw or vxlan, not ${o.podRoutes}`);
    out.podRoutes = o.podRoutes;
  }
  if (o.nodePrefix) out.nodePrefix = o.nodePrefix;
  if (o.apiPort) out.apiPort = o.apiPort;
  if (o.grpcPort) out.grpcPort = o.grpcPort;
  if (o.etcdPort) Object.assign(out, { etcdClientPort: o.etcdPort, etcdPeerPort: o.etcdPort + 1 });
  if (o.network) out.network = o.network;
  if (o.subnet) Object.assign(out, networkFromSubnet(o.subnet));
  if (o.serviceRange) out.serviceRange = o.serviceRange;
  if (o.lbPool) out.lbPool = o.lbPool;
  if (o.opsPortOffset !== undefined) out.opsPortOffset = o.opsPortOffset;
  // A second cluster beside the first (tests) moves its ingress port with its ops ports.
  if (o.ingressPort) out.ingressPort = o.ingressPort;
  else if (o.opsPortOffset) out.ingressPort = defaultConfig.ingressPort + o.opsPortOffset;
  if (o.registryPort) out.registryPort = o.registryPort;
  else if (o.opsPortOffset) out.registryPort = defaultConfig.registryPort + o.opsPortOffset;
  return out;
}
