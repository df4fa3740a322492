// The node's Docker bridge from its podCIDR: the whole range for pods, the first address the
// bridge's (kubenet's cbr0 takes the same).
import { intToIpv4, ipv4CidrText, parseIpv4Cidr } from '@k8ts/api';

export function bridgeOf(podCidr: string): { subnet: string; ipRange: string; gateway: string } {
  const c = parseIpv4Cidr(podCidr);
  if (!c || c.prefix < 8 || c.prefix > 30) throw new Error(`podCIDR ${podCidr} is not an IPv4 range the agent can bridge (prefix 8..30)`);
  const range = ipv4CidrText(c);
  return { subnet: range, ipRange: range, gateway: intToIpv4(c.base + 1) };
}
