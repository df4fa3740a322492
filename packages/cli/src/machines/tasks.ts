// The steps `up` adds for `--machines N`, as Listr tasks, and what it checks first.
import { execFileSync } from 'node:child_process';
import type { ClusterConfig, Home } from '../home.js';
import { machinesLayout } from './layout.js';
import { ensureEngine, ensureLan, ensureMachineNetwork, loadImages } from './setup.js';

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

export function machinesTasks(home: Home, c: ClusterConfig): { title: string; task: () => Promise<void> }[] {
  if (c.machines <= 0) return [];
  const l = machinesLayout(c, home);
  return [
    { title: `LAN bridge ${l.bridge} (${l.lanSubnet})`, task: () => ensureLan(l) },
    {
      title: `${c.machines} machines (namespace, veth, Docker engine)`,
      task: async () => {
        await Promise.all(l.machines.map(async (m) => {
          await ensureMachineNetwork(l, m);
          await ensureEngine(m);
        }));
      },
    },
    {
      title: 'Images into each machine\'s engine',
      task: async () => {
        const { IMAGES, EXTRA_TAGS, CLUSTER_IMAGE_NAMES } = await import('../images/build.js');
        const tags = CLUSTER_IMAGE_NAMES.flatMap((n) => [IMAGES[n], ...EXTRA_TAGS[n]]);
        await loadImages(l.machines, tags, home.path('machines', 'images.tar'));
      },
    },
  ];
}
