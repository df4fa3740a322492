// What the agents leave on the Docker engine by design (pods outlive their agent, as with a
// kubelet) and `down` must remove: pod containers of this cluster's nodes and its network.
import Docker from 'dockerode';

export async function removeClusterContainers(nodeNames: string[], docker = new Docker()): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } });
  const ours = found.filter((c) => nodeNames.includes(c.Labels['io.k8ts.node']));
  await Promise.all(ours.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return ours.length;
}

export async function removeNetwork(name: string, docker = new Docker()): Promise<boolean> {
  const nets = await docker.listNetworks({ filters: { name: [name] } });
  const net = nets.find((n) => n.Name === name);
  if (!net) return false;
  // A container removed a moment ago can still hold its endpoint for a while.
  for (let i = 0; ; i++) {
    try {
      await docker.getNetwork(net.Id).remove();
      return true;
    } catch (e) {
      if (i >= 20 || !/active endpoints/i.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The cluster network, created before dns binds to its gateway and before any agent starts. */
export async function ensureNetwork(c: { network: string; subnet: string; ipRange: string; gateway: string }): Promise<void> {
  const docker = new Docker();
  const nets = await docker.listNetworks({ filters: { name: [c.network] } });
  if (nets.some((n) => n.Name === c.network)) return;
  await docker.createNetwork({
    Name: c.network,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { 'io.k8ts.network': '1' },
    IPAM: { Driver: 'default', Config: [{ Subnet: c.subnet, IPRange: c.ipRange, Gateway: c.gateway }] },
  });
}
