// The steps `up` adds for `--machines N`, as Listr tasks, and what it checks first.
import { execFileSync } from 'node:child_process';
import type { ClusterConfig, Home } from '../home.js';
import { machinesLayout } from './layout.js';
import { ensureLan, ensureMachine, loadImages } from './setup.js';

/** At most one /24 per machine in the /18 of pod ranges. */
export const MAX_MACHINES = 64;

const has = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
};

export function machinesPreflight(c: ClusterConfig): void {
  if (!Number.isInteger(c.machines) || c.machines < 0 || c.machines > MAX_MACHINES) throw new Error(`--machines must be between 0 and ${MAX_MACHINES}, not ${c.machines}`);
  const missing = [
    process.getuid?.() !== 0 && 'root (network namespaces, veths and a Docker engine per machine)',
    !has('ip', ['-V']) && 'iproute2 (`ip`)',
    !has('nsenter', ['--version']) && 'nsenter (util-linux)',
    !has('dockerd', ['--version']) && 'dockerd',
    !has('iptables', ['--version']) && 'iptables',
  ].filter(Boolean);
  if (missing.length) throw new Error(`--machines needs ${missing.join(', ')}`);
}

/**
 * The LAN, the machines with their engines, and, without a cluster registry, the images copied
 * into them (with one, each engine pulls them by name through it, as a real node does).
 */
export async function makeMachines(home: Home, c: ClusterConfig, o: { registry?: boolean } = {}): Promise<void> {
  const l = machinesLayout(c, home);
  await ensureLan(l);
  await Promise.all(l.machines.map((m) => ensureMachine(l, m)));
  if (o.registry) return;
  const { clusterImageTags } = await import('../images/build.js');
  await loadImages(l.machines, clusterImageTags(), home.path('machines', 'images.tar'));
}

/**
 * Two tasks: the first starts making the machines and returns at once, so their engines start
 * and take their images while etcd and the control plane start; the second, before the first
 * agent, waits for them.
 */
export function machinesTasks(home: Home, c: ClusterConfig, o: { registry?: boolean } = {}): { start: { title: string; task: () => Promise<void> }[]; ready: { title: string; task: () => Promise<void> }[] } {
  if (c.machines <= 0) return { start: [], ready: [] };
  const l = machinesLayout(c, home);
  let making: Promise<void> | undefined;
  return {
    start: [
      {
        title: `${c.machines} machines: LAN switch ${l.lan.netns} (${l.lanSubnet}), a namespace, veth and Docker engine each${o.registry ? '' : ', the images'} (in the background)`,
        task: async () => {
          making = makeMachines(home, c, o);
          // Failures surface in the waiting task; until then nothing is unhandled.
          making.catch(() => undefined);
        },
      },
    ],
    ready: [{ title: `${c.machines} machines ready`, task: async () => making }],
  };
}
