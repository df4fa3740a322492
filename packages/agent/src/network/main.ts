// podnet, the per-host pod network component (flanneld's place beside a kubelet):
// `node --conditions=k8ts-dist packages/agent/dist/network/main.js --node-name agent-1 \
//    --cluster-cidr 10.213.128.0/18 --routes host-gw` (run inside the machine's namespace, or
//    with --netns PATH beside it; --routes-only on a host of the LAN that is no node)
// Routes and rules are left in place on SIGTERM, as flanneld leaves them: a restart finds
// and corrects them; `k8ts down` removes them with the machine.
import os from 'node:os';
import { componentClient, runComponent } from '@k8ts/client';
import { PodNetwork } from './pod-network.js';

interface PodnetFlags {
  nodeName?: string;
  clusterCidr?: string;
  routes: string;
  netns?: string;
  routesOnly?: boolean;
}

const nodeNameOf = (o: PodnetFlags): string => o.nodeName ?? os.hostname();

await runComponent<PodnetFlags, { stop(): Promise<void> }>({
  name: 'podnet',
  command: 'podnet',
  description: 'k8ts podnet: routes between the nodes\' pod ranges (host-gw) and the masquerade exemption of this node\'s pods',
  opsPort: 10249,
  flags: (cmd) =>
    cmd
      .option('--node-name <name>', 'the node of this host (default: the hostname)')
      .option('--cluster-cidr <cidr>', 'the pod range of the whole cluster (nodeipam\'s --cluster-cidr): no masquerade toward it')
      .option('--routes <mode>', 'host-gw: a route per other node\'s podCIDR via its InternalIP (one layer-2 network); vxlan: the same through a kernel VXLAN device (any routed network); none: only the masquerade exemption', 'host-gw')
      .option('--netns <path>', 'the network namespace of this host\'s engine (e.g. /var/run/netns/NAME); default podnet\'s own')
      .option('--routes-only', 'this host is no node (the control plane\'s, on the nodes\' LAN): only a route to every node\'s podCIDR via its InternalIP'),
  logFields: (o) => ({ node: nodeNameOf(o) }),
  start: async ({ opts: o, log, server, token, ops, fail }) => {
    if (o.routes !== 'host-gw' && o.routes !== 'vxlan' && o.routes !== 'none') return fail(`--routes: host-gw, vxlan or none, not ${o.routes}`);
    if (!o.clusterCidr || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(o.clusterCidr)) return fail(`--cluster-cidr: an IPv4 CIDR is needed, not ${o.clusterCidr ?? 'nothing'}`);
    await ops();
    const client = componentClient({ server, token });
    const net = new PodNetwork({ client, nodeName: nodeNameOf(o), clusterCidr: o.clusterCidr, routes: o.routes, netns: o.netns, routesOnly: !!o.routesOnly, log });
    net.start();
    log.info({ object: o.routesOnly ? 'routes to every node' : nodeNameOf(o), routes: o.routes, netns: o.netns ?? 'own' }, 'podnet started');
    return {
      async stop() {
        await net.stop();
        client.close();
      },
    };
  },
});
