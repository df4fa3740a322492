// The agent process: `node --import tsx packages/agent/src/main.ts --node-name agent-1 …`
// SIGTERM stops the agent only: its pods keep running, as with a kubelet.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { createLogger } from '@k8ts/client';
import { startAgent, AGENT_DEFAULTS } from './agent.js';
import { parseDuration } from './duration.js';

const program = new Command('agent')
  .description('k8ts agent: makes this machine a node and runs its pods on Docker')
  .option('--server <host:port>', 'apiserver gRPC address', '127.0.0.1:6444')
  .option('--token <t>', 'bearer token (env K8TS_TOKEN)')
  .option('--token-file <path>', 'file holding the bearer token')
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
  .option('--ops-port <n>', 'healthz/metrics port (0 = free port, -1 = off)', '10250')
  .option('--backoff-base <d>', 'crash-loop back-off start (e.g. 10s, 500ms)', '10s')
  .option('--backoff-max <d>', 'crash-loop back-off cap', '5m')
  .option('--relist-period <d>', 'how often Docker is listed to repair missed events', '5s')
  .option('--docker-socket <path>', 'Docker engine socket', '/var/run/docker.sock')
  .parse();

const o = program.opts();
const nodeName: string = o.nodeName ?? os.hostname();
const log = createLogger('agent', { node: nodeName });

function fail(msg: string): never {
  log.fatal(msg);
  process.exit(2);
}

let token: string | undefined = o.token ?? process.env.K8TS_TOKEN;
if (o.tokenFile) {
  try {
    token = readFileSync(o.tokenFile, 'utf8').trim();
  } catch (e) {
    fail(`cannot read --token-file: ${(e as Error).message}`);
  }
}
const int = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) fail(`${name} must be an integer, got ${v}`);
  return n;
};
const dur = (name: string, v: string) => {
  try {
    return parseDuration(v);
  } catch (e) {
    return fail(`${name}: ${(e as Error).message}`);
  }
};

const agent = await startAgent({
  server: o.server,
  token,
  nodeName,
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
  opsPort: int('--ops-port', o.opsPort),
  backoffBaseMs: dur('--backoff-base', o.backoffBase),
  backoffMaxMs: dur('--backoff-max', o.backoffMax),
  relistMs: dur('--relist-period', o.relistPeriod),
  dockerSocket: o.dockerSocket,
  log,
}).catch((err) => {
  log.fatal({ err: (err as Error).stack ?? String(err) }, 'agent failed to start');
  process.exit(1);
});

console.log(JSON.stringify({ msg: 'agent ready', node: agent.nodeName, opsPort: agent.ops.port }));

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'stopping (pods keep running)');
    agent.stop().finally(() => process.exit(0));
  });
}
