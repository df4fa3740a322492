// Host settings outside iptables: routes that send the service ranges into the cluster
// bridge, and route_localnet so node ports answer on 127.0.0.1 (as kube-proxy sets it).
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { run, mustRun } from './exec.js';

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

function dockerSocket(): string {
  const h = process.env.DOCKER_HOST;
  if (h?.startsWith('unix://')) return h.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** The Linux bridge of a Docker network: its bridge-name option, else br-<id12>. */
export async function bridgeOfNetwork(network: string): Promise<string | undefined> {
  const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.get({ socketPath: dockerSocket(), path: `/networks/${encodeURIComponent(network)}` }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('docker API timeout')));
  });
  if (body.status === 404) return undefined;
  if (body.status !== 200) throw new Error(`docker network inspect ${network}: HTTP ${body.status} ${body.text.trim()}`);
  const net = JSON.parse(body.text) as { Id: string; Driver?: string; Options?: Record<string, string> };
  return net.Options?.['com.docker.network.bridge.name'] || `br-${net.Id.slice(0, 12)}`;
}

/** Where a range is routed now ("dev" of `ip route show exact`), if anywhere. */
export async function routeDevice(range: string): Promise<string | undefined> {
  const r = await run('ip', ['-4', 'route', 'show', 'exact', range]);
  const m = /\bdev (\S+)/.exec(r.stdout);
  return m?.[1];
}

export async function ensureRoute(range: string, dev: string): Promise<boolean> {
  if ((await routeDevice(range)) === dev) return false;
  await mustRun('ip', ['-4', 'route', 'replace', range, 'dev', dev]);
  return true;
}

export async function removeRoute(range: string): Promise<boolean> {
  if (!(await routeDevice(range))) return false;
  await run('ip', ['-4', 'route', 'del', range]);
  return true;
}

/**
 * Sets route_localnet=1. The value found before any proxy touched it is kept in
 * `stateFile` (written only when absent), shared by every proxy using that state dir, so
 * the last one to clean up puts back the host's own value rather than another proxy's.
 */
export function enableRouteLocalnet(stateFile: string): void {
  const cur = readFileSync(ROUTE_LOCALNET, 'utf8').trim();
  if (!existsSync(stateFile)) {
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, cur + '\n');
  }
  if (cur !== '1') writeFileSync(ROUTE_LOCALNET, '1');
}

/** Puts back the remembered value, unless `othersNeedIt` (they will, when they clean up). */
export function restoreRouteLocalnet(stateFile: string, othersNeedIt: boolean): void {
  if (othersNeedIt || !existsSync(stateFile)) return;
  const was = readFileSync(stateFile, 'utf8').trim();
  if (was === '0' || was === '1') writeFileSync(ROUTE_LOCALNET, was);
  rmSync(stateFile, { force: true });
}

/**
 * Turns on hairpin mode on every port of the bridge, so a pod reaching its own Service can
 * be sent its own (NATed) packets back: with bridge netfilter, the de-NATed reply leaves
 * through the port it came in, which a bridge refuses without hairpin (kubelet sets the
 * same through its CNI bridge). Returns how many ports it changed.
 */
export async function enableHairpin(bridge: string): Promise<number> {
  // /sys shows the devices of the namespace it was mounted in (the host's): a machine's proxy,
  // in a namespace of its own, does not find its bridge there and goes through netlink.
  return existsSync(`/sys/class/net/${bridge}/brif`) ? enableHairpinSysfs(bridge) : enableHairpinNetlink(bridge);
}

/** In a namespace of its own (a machine's proxy), through iproute2, which speaks netlink there. */
async function enableHairpinNetlink(bridge: string): Promise<number> {
  const r = await run('ip', ['-d', '-o', 'link', 'show', 'master', bridge]);
  if (r.code !== 0) return 0;
  let changed = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)[@:]/.exec(line);
    if (!m || !/\bbridge_slave\b/.test(line) || /\bhairpin on\b/.test(line)) continue;
    if ((await run('ip', ['link', 'set', 'dev', m[1]!, 'type', 'bridge_slave', 'hairpin', 'on'])).code === 0) changed++;
  }
  return changed;
}

function enableHairpinSysfs(bridge: string): number {
  let changed = 0;
  let ports: string[] = [];
  try {
    ports = readdirSync(`/sys/class/net/${bridge}/brif`);
  } catch {
    return 0;
  }
  for (const port of ports) {
    const file = `/sys/class/net/${bridge}/brif/${port}/hairpin_mode`;
    try {
      if (readFileSync(file, 'utf8').trim() !== '1') {
        writeFileSync(file, '1');
        changed++;
      }
    } catch {
      // The port went away meanwhile (a pod stopping).
    }
  }
  return changed;
}
