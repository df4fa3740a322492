// Host ports in use on a node (framework.HostPortInfo): a port bound on 0.0.0.0 conflicts with
// the same protocol/port on any address; a specific address only with itself and 0.0.0.0.
import type { HostPort } from './pod-info.js';

const ANY = '0.0.0.0';

function sanitize(p: HostPort): { ip: string; pp: string } {
  const ip = p.hostIP && p.hostIP !== '::' ? p.hostIP : ANY;
  return { ip, pp: `${p.protocol || 'TCP'}/${p.hostPort}` };
}

export class HostPortSet {
  // protocol/port → address → number of pods holding it
  private readonly used = new Map<string, Map<string, number>>();

  get size(): number {
    return this.used.size;
  }

  add(p: HostPort): void {
    if (!(p.hostPort > 0)) return;
    const { ip, pp } = sanitize(p);
    let m = this.used.get(pp);
    if (!m) this.used.set(pp, (m = new Map()));
    m.set(ip, (m.get(ip) ?? 0) + 1);
  }

  remove(p: HostPort): void {
    if (!(p.hostPort > 0)) return;
    const { ip, pp } = sanitize(p);
    const m = this.used.get(pp);
    const n = m?.get(ip);
    if (!m || n === undefined) return;
    if (n <= 1) m.delete(ip);
    else m.set(ip, n - 1);
    if (m.size === 0) this.used.delete(pp);
  }

  conflicts(p: HostPort): boolean {
    if (!(p.hostPort > 0)) return false;
    const { ip, pp } = sanitize(p);
    const m = this.used.get(pp);
    if (!m) return false;
    if (ip === ANY) return m.size > 0;
    return m.has(ANY) || m.has(ip);
  }
}
