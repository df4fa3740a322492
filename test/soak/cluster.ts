// A `k8ts up` cluster of the soak's own, brought up as the embedded end-to-end test does it:
// its own home, ports, ops ports, network, ranges and node names (free ones picked now, so it
// runs beside any other cluster on this machine), and `k8ts down --purge` whatever happens,
// then a sweep of anything down missed (the pod containers of its nodes, its network).
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import Docker from 'dockerode';
import { freeOctets } from '../support/ranges.js';
import { freePort, freePortRun } from '../support/ports.js';
import { Home } from '../../packages/cli/src/home.js';
import { listProcesses, stopProcess } from '../../packages/cli/src/processes.js';

const run = promisify(execFile);
export const repoRoot = join(import.meta.dirname, '..', '..');

export interface SoakCluster {
  home: string;
  env: NodeJS.ProcessEnv;
  nodePrefix: string;
  network: string;
  agents: number;
  /** https://127.0.0.1:<port> */
  server: string;
  grpcServer: string;
  ca: string;
  adminToken: string;
  k8ts(...args: string[]): Promise<string>;
  /** Copies the components' logs out of the home (which `down --purge` deletes); returns where. */
  saveLogs(): string;
  down(): Promise<void>;
}


function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** An --ops-port-offset under which every ops port of the cluster (10054…10290) is free. */
export async function freeOpsOffset(agents: number): Promise<number> {
  const base = [10054, 10256, 10257, 10267, 10259, 10269, ...Array.from({ length: agents }, (_, i) => 10251 + i)];
  const candidates = [4000, 5000, 6000, 7000, 8000, 9000, 11000, 12000].sort(() => Math.random() - 0.5);
  for (const off of candidates) if ((await Promise.all(base.map((p) => bindable(p + off)))).every(Boolean)) return off;
  throw new Error('no free ops port offset');
}

export async function upCluster(o: { agents: number; prefix: string; log: (s: string) => void }): Promise<SoakCluster> {
  const docker = new Docker();
  const home = mkdtempSync(join(tmpdir(), `k8ts-${o.prefix}-`));
  const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  const tag = Math.random().toString(36).slice(2, 6);
  const nodePrefix = `${o.prefix}-${tag}`;
  const network = `k8ts-${o.prefix}-${tag}`;
  const k8ts = async (...args: string[]) => (await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: repoRoot, env, timeout: 300_000, maxBuffer: 16 << 20 })).stdout;
  const [api, grpc] = [await freePort(), await freePort()];
  const [etcd] = await freePortRun(3);
  const [sub, svc, lb] = await freeOctets(docker);
  let downDone: Promise<void> | undefined;
  const cluster: SoakCluster = {
    home,
    env,
    nodePrefix,
    network,
    agents: o.agents,
    server: `https://127.0.0.1:${api}`,
    grpcServer: `127.0.0.1:${grpc}`,
    ca: '',
    adminToken: '',
    k8ts,
    saveLogs: () => {
      const dest = mkdtempSync(join(tmpdir(), `k8ts-${o.prefix}-logs-`));
      cpSync(join(home, 'logs'), dest, { recursive: true });
      return dest;
    },
    down: () => (downDone ??= tearDown(cluster, docker, o.log)),
  };
  o.log(`k8ts up: ${o.agents} agents ${nodePrefix}-1..${o.agents}, REST ${api}, gRPC ${grpc}, etcd ${etcd}, network ${network} 10.${sub}.0.0/16, home ${home}`);
  try {
    await k8ts(
      'up', '--agents', String(o.agents), '--node-prefix', nodePrefix,
      '--api-port', String(api), '--grpc-port', String(grpc), '--etcd-port', String(etcd),
      '--network', network, '--subnet', `10.${sub}.0.0/16`, '--service-range', `10.${svc}.0.0/16`, '--lb-pool', `10.${lb}.0.0/24`,
      '--ops-port-offset', String(await freeOpsOffset(o.agents)),
    );
  } catch (e) {
    await cluster.down();
    throw e;
  }
  cluster.ca = readFileSync(join(home, 'pki', 'ca.crt'), 'utf8');
  cluster.adminToken = readFileSync(join(home, 'tokens.csv'), 'utf8').split(',')[0]!;
  return cluster;
}

async function tearDown(c: SoakCluster, docker: Docker, log: (s: string) => void): Promise<void> {
  const downOk = await c.k8ts('down', '--purge').then(
    (out) => (log(out.trim()), true),
    (e) => (log(`k8ts down failed: ${(e as Error).message}`), false),
  );
  // Should down itself have failed, its processes by their pid files (SIGTERM, so the proxy
  // removes its rules, then SIGKILL), before the home that names them is deleted.
  if (!downOk) for (const name of listProcesses(new Home(c.home))) await stopProcess(new Home(c.home), name).catch(() => undefined);
  // Whatever down missed, by this cluster's labels and names, so nothing is left behind.
  const left = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } }).catch(() => []);
  for (const x of left.filter((x) => x.Labels['io.k8ts.node']?.startsWith(`${c.nodePrefix}-`))) await docker.getContainer(x.Id).remove({ force: true }).catch(() => undefined);
  // The network goes once its last pod container has (removals may still be finishing).
  for (let attempt = 0; attempt < 5; attempt++) {
    const nets = await docker.listNetworks({ filters: { name: [c.network] } }).catch(() => []);
    const ours = nets.filter((n) => n.Name === c.network);
    if (!ours.length) break;
    await Promise.all(ours.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 1000));
  }
  // The proxy's state directory, which `k8ts down` leaves (empty) behind.
  rmSync(`/run/k8ts-${c.network}`, { recursive: true, force: true });
  rmSync(c.home, { recursive: true, force: true });
}
