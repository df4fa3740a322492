// The node's Docker bridge from its podCIDR: the whole range for pods, the first address the
// bridge's (kubenet's cbr0 takes the same).
export function bridgeOf(podCidr: string): { subnet: string; ipRange: string; gateway: string } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(podCidr);
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || !(prefix >= 8 && prefix <= 30) || m.slice(1, 5).some((o) => Number(o) > 255)) throw new Error(`podCIDR ${podCidr} is not an IPv4 range the agent can bridge (prefix 8..30)`);
  const ip = m.slice(1, 5).reduce((n, o) => n * 256 + Number(o), 0);
  const base = ip - (ip % 2 ** (32 - prefix));
  const gw = base + 1;
  const text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  return { subnet: `${text(base)}/${prefix}`, ipRange: `${text(base)}/${prefix}`, gateway: text(gw) };
}
