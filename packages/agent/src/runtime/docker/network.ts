// The cluster's flat pod network: one Docker bridge, created when missing.
import type Docker from 'dockerode';
import { L } from '../labels.js';

export interface NetworkConfig {
  name: string;
  subnet: string;
  ipRange: string;
  gateway: string;
}

export async function ensureNetwork(docker: Docker, cfg: NetworkConfig): Promise<{ id: string; created: boolean }> {
  const find = async () => (await docker.listNetworks({ filters: { name: [cfg.name] } })).find((n) => n.Name === cfg.name);
  const existing = await find();
  if (existing) return { id: existing.Id, created: false };
  try {
    const net = await docker.createNetwork({
      Name: cfg.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [L.network]: '1' },
      IPAM: { Driver: 'default', Config: [{ Subnet: cfg.subnet, IPRange: cfg.ipRange, Gateway: cfg.gateway }] },
      Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'true' },
    });
    return { id: net.id, created: true };
  } catch (e) {
    // Another agent on this machine created it first.
    const again = await find();
    if (again) return { id: again.Id, created: false };
    throw e;
  }
}
