// flannel's vxlan backend, reduced: one kernel VXLAN device per machine (VNI 1, port 8472,
// no learning), its VTEP address the first address of the node's podCIDR (as flannel's
// x.y.z.0/32), and per other node a route to its podCIDR via its VTEP address (onlink), a
// permanent neighbour entry for that address and a forwarding entry sending its MAC to the
// node's InternalIP. flannel publishes each VTEP's MAC in a Node annotation; here the MAC
// follows from the podCIDR, so podnet needs no write to the Nodes.
import type { Node } from '@k8ts/api';
import { desiredRoutes } from './host-gw.js';

export const VXLAN_DEVICE = 'k8ts.1';
export const VXLAN_VNI = '1';
export const VXLAN_PORT = '8472';

export interface VxlanPeer {
  /** The node's podCIDR: routed through the device. */
  dst: string;
  /** Its VTEP address (the range's first address) and MAC. */
  vtep: string;
  mac: string;
  /** Where its VXLAN packets go: the node's InternalIP. */
  underlay: string;
}

/** The VTEP address of a podCIDR: its network address (flannel's choice). */
export function vtepOf(podCidr: string): string {
  return podCidr.split('/')[0]!;
}

/** A locally administered unicast MAC from the VTEP address: 0a:58 then its four bytes (the k8s CNI bridge's scheme). */
export function vtepMacOf(podCidr: string): string {
  return ['0a', '58', ...vtepOf(podCidr).split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export function vxlanPeers(nodes: readonly Node[], self: string): VxlanPeer[] {
  return desiredRoutes(nodes, self).map(({ dst, via }) => ({ dst, vtep: vtepOf(dst), mac: vtepMacOf(dst), underlay: via }));
}
