// The compose cluster's layout as docker-compose.yml interpolates it: every address, port and
// name has a default there and an environment variable here, so a second cluster (a test) can
// run beside a user's without sharing a port, subnet, chain or node name.

export interface ComposeSettings {
  /** Compose project name (containers are <project>_<service>_1 with v1, <project>-<service>-1 with v2). */
  project: string;
  apiPort: number;
  grpcPort: number;
  network: string;
  /** First two octets of the cluster's /16, e.g. "10.215". */
  net: string;
  serviceRange: string;
  lbPool: string;
  chainPrefix: string;
  proxyOpsPort: number;
  /** The ingress controller's HTTP port on the host's loopback. */
  ingressPort: number;
  nodePrefix: string;
  stateDir: string;
}

export const COMPOSE_DEFAULTS: Omit<ComposeSettings, 'project'> = {
  apiPort: 16443,
  grpcPort: 16444,
  network: 'k8ts-compose',
  net: '10.215',
  serviceRange: '10.97.0.0/16',
  lbPool: '10.216.0.0/24',
  chainPrefix: 'K8TSC',
  proxyOpsPort: 10356,
  ingressPort: 18080,
  nodePrefix: 'agent',
  stateDir: '/var/lib/k8ts-compose',
};

const ENV: Record<keyof Omit<ComposeSettings, 'project'>, string> = {
  apiPort: 'K8TS_COMPOSE_API_PORT',
  grpcPort: 'K8TS_COMPOSE_GRPC_PORT',
  network: 'K8TS_COMPOSE_NETWORK',
  net: 'K8TS_COMPOSE_NET',
  serviceRange: 'K8TS_COMPOSE_SERVICE_RANGE',
  lbPool: 'K8TS_COMPOSE_LB_POOL',
  chainPrefix: 'K8TS_COMPOSE_CHAIN_PREFIX',
  proxyOpsPort: 'K8TS_COMPOSE_PROXY_OPS_PORT',
  ingressPort: 'K8TS_COMPOSE_INGRESS_PORT',
  nodePrefix: 'K8TS_COMPOSE_NODE_PREFIX',
  stateDir: 'K8TS_COMPOSE_STATE_DIR',
};

/** Settings from K8TS_COMPOSE_* variables (as the compose file reads them), over the defaults. */
export function composeSettings(project: string, env: NodeJS.ProcessEnv = process.env, over: Partial<ComposeSettings> = {}): ComposeSettings {
  const s: ComposeSettings = { project, ...COMPOSE_DEFAULTS };
  for (const [key, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    (s as unknown as Record<string, unknown>)[key] = typeof COMPOSE_DEFAULTS[key] === 'number' ? Number(v) : v;
  }
  return { ...s, ...over };
}

/** The environment that makes docker-compose.yml produce these settings. */
export function composeEnv(s: ComposeSettings): Record<string, string> {
  const out: Record<string, string> = { COMPOSE_PROJECT_NAME: s.project };
  for (const [key, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) out[name] = String(s[key]);
  return out;
}

export function composeNodes(s: ComposeSettings): string[] {
  return [1, 2, 3].map((i) => `${s.nodePrefix}-${i}`);
}

export function composeSubnet(s: ComposeSettings): string {
  return `${s.net}.0.0/16`;
}

/** Compose services of the agents are agent-1..3 whatever their node names. */
export function agentService(s: ComposeSettings, node: string): string | undefined {
  const i = composeNodes(s).indexOf(node);
  return i < 0 ? undefined : `agent-${i + 1}`;
}
