// The agent process: `node --conditions=k8ts-dist packages/agent/dist/main.js --node-name agent-1 …`
// SIGTERM stops the agent only: its pods keep running, as with a kubelet.
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import os from 'node:os';
import { parseDuration } from '@k8ts/api';
import { runComponent } from '@k8ts/client';
import { startAgent, AGENT_DEFAULTS, type Agent } from './agent.js';
import { isRegistryHost, type ImageMirror } from './runtime/image-ref.js';
import { bootstrapAgentCredentials, bootstrapTokenOf, type BootstrapFlags } from './bootstrap/index.js';

interface AgentFlags extends BootstrapFlags {
  nodeName?: string;
  nodeLabels?: string;
  cpu?: string;
  memory?: string;
  maxPods: string;
  network: string;
  subnet: string;
  ipRange: string;
  gateway: string;
  clusterDns?: string;
  clusterDomain: string;
  stateDir?: string;
  backoffBase: string;
  backoffMax: string;
  relistPeriod: string;
  dockerSocket: string;
  nodeIp?: string;
  podCidrFromNode?: boolean;
  imageRegistry?: string;
  imageRegistryNames?: string;
}

function mirrorOf(o: AgentFlags, fail: (msg: string) => never): ImageMirror | undefined {
  if (!o.imageRegistry) return o.imageRegistryNames ? fail('--image-registry-names goes with --image-registry') : undefined;
  const names = (o.imageRegistryNames ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  for (const host of [o.imageRegistry, ...names]) if (!isRegistryHost(host)) fail(`--image-registry: "${host}" is not a registry host:port`);
  return { endpoint: o.imageRegistry, names };
}

const nodeNameOf = (o: AgentFlags): string => o.nodeName ?? os.hostname();

await runComponent<AgentFlags, Agent>({
  name: 'agent',
  command: 'agent',
  description: 'k8ts agent: makes this machine a node and runs its pods on Docker',
  opsPort: 10250,
  flags: (cmd) =>
    cmd
      .option('--node-name <name>', 'node name (default: the hostname)')
      .option('--node-labels <a=b,c=d>', 'extra labels for the Node')
      .option('--cpu <q>', 'cpu capacity (default: the host cores)')
      .option('--memory <q>', 'memory capacity (default: the host memory)')
      .option('--max-pods <n>', 'pods capacity', '110')
      .option('--network <name>', 'cluster Docker network', AGENT_DEFAULTS.network)
      .option('--subnet <cidr>', 'cluster network subnet', AGENT_DEFAULTS.subnet)
      .option('--ip-range <cidr>', 'pod address range inside the subnet', AGENT_DEFAULTS.ipRange)
      .option('--gateway <ip>', 'cluster network gateway (the host side)', AGENT_DEFAULTS.gateway)
      .option('--cluster-dns <ip>', 'nameserver given to pods (dnsPolicy ClusterFirst)')
      .option('--cluster-domain <domain>', 'cluster DNS domain', 'cluster.local')
      .option('--state-dir <path>', 'where pod volumes live on the host')
      .option('--backoff-base <d>', 'crash-loop back-off start (e.g. 10s, 500ms)', '10s')
      .option('--backoff-max <d>', 'crash-loop back-off cap', '5m')
      .option('--relist-period <d>', 'how often Docker is listed to repair missed events', '5s')
      .option('--docker-socket <path>', 'Docker engine socket', '/var/run/docker.sock')
      .option('--node-ip <ip>', 'the Node\'s InternalIP (default: the --gateway)')
      .option('--image-registry <host:port>', 'the cluster registry as this engine reaches it: Docker Hub names are pulled through it first (a mirror), then from Docker Hub')
      .option('--image-registry-names <h:p,…>', 'names pods may give the cluster registry (localhost:5000): pulled from --image-registry')
      .option('--pod-cidr-from-node', 'wait for the Node\'s spec.podCIDR (nodeipam) and make the pod bridge with it')
      .option('--bootstrap-token <id.secret>', 'TLS bootstrap: get this node\'s client certificate with this bootstrap token (needs --cert-dir)')
      .option('--bootstrap-token-file <path>', 'file holding the bootstrap token')
      .option('--cert-dir <dir>', 'where the node\'s client certificate and key live (TLS bootstrap)'),
  logFields: (o) => ({ node: nodeNameOf(o) }),
  stopMessage: 'stopping (pods keep running)',
  start: async ({ opts: o, log, server, token, tls, ops, int, fail }) => {
    const bootstrapToken = bootstrapTokenOf(o);
    if (bootstrapToken) {
      if (!o.certDir) return fail('--bootstrap-token needs --cert-dir');
      await bootstrapAgentCredentials({ server, token: bootstrapToken, certDir: o.certDir, nodeName: nodeNameOf(o), tls, log });
    }
    const dur = (name: string, v: string): number => {
      try {
        return parseDuration(v);
      } catch (e) {
        return fail(`${name}: ${(e as Error).message}`);
      }
    };
    const agent = await startAgent({
      server,
      // After TLS bootstrap the client certificate is the agent's only credential.
      token: bootstrapToken ? undefined : token,
      nodeName: nodeNameOf(o),
      nodeLabels: o.nodeLabels,
      cpu: o.cpu,
      memory: o.memory,
      maxPods: int('--max-pods', o.maxPods),
      network: o.network,
      subnet: o.subnet,
      ipRange: o.ipRange,
      gateway: o.gateway,
      clusterDns: o.clusterDns,
      clusterDomain: o.clusterDomain,
      stateDir: o.stateDir,
      ops,
      backoffBaseMs: dur('--backoff-base', o.backoffBase),
      backoffMaxMs: dur('--backoff-max', o.backoffMax),
      relistMs: dur('--relist-period', o.relistPeriod),
      dockerSocket: o.dockerSocket,
      nodeIP: o.nodeIp,
      podCidrFromNode: !!o.podCidrFromNode,
      imageMirror: mirrorOf(o, fail),
      log,
    });
    console.log(JSON.stringify({ msg: 'agent ready', node: agent.nodeName, opsPort: agent.ops.port }));
    return agent;
  },
});
