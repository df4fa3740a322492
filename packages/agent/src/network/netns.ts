// Commands run in the machine's network namespace: podnet's own (`k8ts up --machines` and
// `k8ts join` start it inside the machine's), or another one named by `--netns`.
// `ip netns exec` is not used: it remounts /sys, which nothing here needs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Route } from './host-gw.js';
import { VXLAN_DEVICE, VXLAN_PORT, VXLAN_VNI, vtepMacOf, vtepOf, type VxlanPeer } from './vxlan.js';

const run = promisify(execFile);

/** Routes the agent owns carry this protocol number, so stale ones are found and no other route is touched. */
export const ROUTE_PROTO = '203';

export class NetnsShell {
  constructor(readonly netns?: string) {}

  async exec(cmd: string, args: string[]): Promise<string> {
    const [file, argv] = this.netns ? ['nsenter', [`--net=${this.netns}`, cmd, ...args]] : [cmd, args];
    const { stdout } = await run(file, argv, { timeout: 15_000 });
    return stdout;
  }

  async ownRoutes(): Promise<Route[]> {
    const out = await this.exec('ip', ['-j', '-4', 'route', 'show', 'proto', ROUTE_PROTO]);
    const list = JSON.parse(out || '[]') as { dst: string; gateway?: string; dev?: string }[];
    return list.filter((r) => r.gateway).map((r) => ({ dst: r.dst.includes('/') ? r.dst : `${r.dst}/32`, via: r.gateway!, ...(r.dev === VXLAN_DEVICE ? { dev: r.dev } : {}) }));
  }

  async replaceRoute(r: Route): Promise<void> {
    const dev = r.dev ? ['dev', r.dev, 'onlink'] : [];
    await this.exec('ip', ['route', 'replace', r.dst, 'via', r.via, ...dev, 'proto', ROUTE_PROTO]);
  }

  /** The VXLAN device of this node (made once; its MAC and VTEP address from the podCIDR), over `underlayIP`'s interface. */
  async ensureVxlan(podCidr: string, underlayIP: string): Promise<boolean> {
    const exists = await this.exec('ip', ['-d', 'link', 'show', VXLAN_DEVICE]).then(() => true, () => false);
    if (!exists) {
      const dev = (JSON.parse(await this.exec('ip', ['-j', '-4', 'addr', 'show'])) as { ifname: string; addr_info: { local: string }[] }[]).find((l) => l.addr_info.some((a) => a.local === underlayIP))?.ifname;
      if (!dev) throw new Error(`no interface holds ${underlayIP} for the VXLAN underlay`);
      await this.exec('ip', ['link', 'add', VXLAN_DEVICE, 'type', 'vxlan', 'id', VXLAN_VNI, 'local', underlayIP, 'dev', dev, 'dstport', VXLAN_PORT, 'nolearning']);
    }
    await this.exec('ip', ['link', 'set', VXLAN_DEVICE, 'address', vtepMacOf(podCidr), 'mtu', '1450', 'up']);
    await this.exec('ip', ['addr', 'replace', `${vtepOf(podCidr)}/32`, 'dev', VXLAN_DEVICE]);
    return !exists;
  }

  /** A peer's neighbour and forwarding entries (its route is replaceRoute's). */
  async ensureVxlanPeer(p: VxlanPeer): Promise<void> {
    await this.exec('ip', ['neigh', 'replace', p.vtep, 'lladdr', p.mac, 'dev', VXLAN_DEVICE, 'nud', 'permanent']);
    await this.exec('bridge', ['fdb', 'replace', p.mac, 'dev', VXLAN_DEVICE, 'dst', p.underlay, 'self', 'permanent']);
  }

  async removeRoute(r: Route): Promise<void> {
    await this.exec('ip', ['route', 'del', r.dst, 'proto', ROUTE_PROTO]).catch(() => undefined);
  }

  /**
   * Docker masquerades whatever leaves its bridge for another interface; traffic from this
   * node's pods to the cluster range must keep its pod address, so a RETURN goes before
   * Docker's MASQUERADE (flannel's rule). Not first: the proxy's jump stays ahead of it, since
   * a pod reaching itself through a Service must be masqueraded (kube-proxy's hairpin rule).
   */
  async ensureNoMasquerade(podCidr: string, clusterCidr: string): Promise<boolean> {
    const rule = ['-s', podCidr, '-d', clusterCidr, '-m', 'comment', '--comment', 'k8ts: pod to pod without NAT', '-j', 'RETURN'];
    const listed = await this.exec('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
    const rules = listed.split('\n').filter((l) => l.startsWith('-A POSTROUTING'));
    const ours = rules.findIndex((l) => l.includes('k8ts: pod to pod without NAT') && l.includes(`-s ${podCidr}`));
    const masquerade = rules.findIndex((l) => / -j MASQUERADE\b/.test(l));
    if (ours >= 0 && (masquerade < 0 || ours < masquerade)) return false;
    await this.exec('iptables', ['-w', '-t', 'nat', '-D', 'POSTROUTING', ...rule]).catch(() => undefined);
    // Right before the first MASQUERADE (ours, if any, was below it: the deletion moved nothing above).
    await this.exec('iptables', ['-w', '-t', 'nat', '-I', 'POSTROUTING', String(masquerade < 0 ? rules.length + 1 : masquerade + 1), ...rule]);
    return true;
  }
}
