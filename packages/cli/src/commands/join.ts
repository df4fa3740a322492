// `k8ts join --server HOST:PORT --token ID.SECRET --discovery-token-ca-cert-hash sha256:…` on
// another host (`k8ts token create --print-join-command` prints it): trusts the cluster CA
// only under the pinned hash, reads the join settings with the bootstrap token, then starts
// this host's agent (which gets its node certificate through TLS bootstrap: a CSR the
// controller-manager approves), and once the node has its certificate this host's podnet and
// proxy as the kube-system service accounts kube-proxy and k8ts-podnet (tokens it asked for
// with the bootstrap token, as kubeadm's kube-proxy DaemonSet runs as its service account).
// They run detached like `up`'s, under this host's K8TS_HOME, in the network namespace `join`
// runs in; `k8ts down` there stops them and removes the node's containers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { GrpcClient, JOIN_SERVICE_ACCOUNTS } from '@k8ts/client';
import { isNodeReady, type KubeObject, type Node } from '@k8ts/api';
import { Home } from '../home.js';
import { listProcesses, runningPid, startComponent } from '../processes.js';
import { discoverCa, parseServer } from '../join/discovery.js';
import { JOIN_CONFIGMAP, JOIN_TOKEN_SECONDS, parseJoinSettings, type JoinSettings } from '../join/settings.js';
import { parseBootstrapToken } from '../bootstrap-token.js';

export interface JoinOptions {
  server: string;
  token: string;
  discoveryTokenCaCertHash: string;
  nodeName?: string;
  nodeIp?: string;
  dockerSocket?: string;
  opsPort?: number;
  timeout?: number;
}

/** What `down` needs to know of a joined host (written beside the pid files). */
export interface JoinRecord {
  server: string;
  node: string;
  dockerSocket: string;
  settings: JoinSettings;
}

export const JOIN_RECORD = 'join.json';

export function readJoinRecord(home: Home): JoinRecord | undefined {
  const f = home.path(JOIN_RECORD);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as JoinRecord) : undefined;
}

const secret = (path: string, data: string) => writeFileSync(path, data, { mode: 0o600 });

export async function join(o: JoinOptions): Promise<void> {
  parseServer(o.server);
  const token = parseBootstrapToken(o.token);
  if (!token) throw new Error('--token must be a bootstrap token <6 [a-z0-9]>.<16 [a-z0-9]> (`k8ts token create` makes one)');
  const home = new Home();
  home.ensure();
  if (home.readConfig()) throw new Error(`${home.dir} holds a cluster of its own (\`k8ts up\`): join from another K8TS_HOME`);
  const node = (o.nodeName ?? hostname()).toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(node) || node.length > 253) {
    throw new Error(`--node-name ${JSON.stringify(node)} is not a valid node name (lower-case letters, digits, '-' and '.', as a DNS subdomain)`);
  }
  const running = listProcesses(home).filter((n) => runningPid(home, n) !== undefined);
  if (running.length) throw new Error(`this host already runs ${running.join(', ')} from ${home.dir} (\`k8ts down\` there first)`);

  const caPem = await discoverCa(o.server, o.discoveryTokenCaCertHash);
  mkdirSync(home.path('pki', 'node'), { recursive: true, mode: 0o700 });
  const caFile = home.path('pki', 'ca.crt');
  writeFileSync(caFile, caPem, { mode: 0o644 });
  console.log(`[discovery] the cluster CA matches ${o.discoveryTokenCaCertHash}`);

  const bootstrap = new GrpcClient({ server: o.server, caFile, token: o.token, timeoutMs: 10_000 });
  let settings: JoinSettings;
  const saTokens: Record<keyof typeof JOIN_SERVICE_ACCOUNTS, string> = { proxy: '', podnet: '' };
  try {
    const cm = await bootstrap.get<KubeObject & { data?: unknown }>('configmaps', JOIN_CONFIGMAP.namespace, JOIN_CONFIGMAP.name).catch((e: Error) => {
      throw new Error(`reading the cluster's join settings with the bootstrap token: ${e.message}`);
    });
    settings = parseJoinSettings(cm.data);
    // The proxy and podnet of this host run as their service accounts (TokenRequest), not as the node.
    for (const [k, sa] of Object.entries(JOIN_SERVICE_ACCOUNTS) as [keyof typeof JOIN_SERVICE_ACCOUNTS, string][]) {
      const req = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: 'kube-system' }, spec: { audiences: [], expirationSeconds: JOIN_TOKEN_SECONDS } };
      const got = await bootstrap.createSubresource<KubeObject & { status?: { token?: unknown } }>('serviceaccounts', 'kube-system', sa, 'token', req).catch((e: Error) => {
        throw new Error(`asking for the token of kube-system/${sa} with the bootstrap token: ${e.message}`);
      });
      if (typeof got.status?.token !== 'string' || !got.status.token) throw new Error(`the TokenRequest for kube-system/${sa} came back without a token`);
      saTokens[k] = got.status.token;
    }
  } finally {
    bootstrap.close();
  }
  const dockerSocket = o.dockerSocket ?? '/var/run/docker.sock';
  const record: JoinRecord = { server: o.server, node, dockerSocket, settings };
  writeFileSync(home.path(JOIN_RECORD), JSON.stringify(record, null, 2) + '\n');
  const tokenFile = home.path('bootstrap-token');
  secret(tokenFile, o.token + '\n');

  try {
    await startNode(home, o, node, caFile, tokenFile, dockerSocket, settings, saTokens);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(\`k8ts down\` with K8TS_HOME=${home.dir} stops what was started)`);
  }
  console.log(`\nThis node has joined the cluster: node ${node} is Ready.\nRun 'kubectl get nodes' on the control plane to see it; \`k8ts down\` here (K8TS_HOME=${home.dir}) takes it out.`);
}

/** The agent, then (with its certificate) podnet and proxy; returns once the Node is Ready. */
async function startNode(home: Home, o: JoinOptions, node: string, caFile: string, tokenFile: string, dockerSocket: string, settings: JoinSettings, saTokens: Record<keyof typeof JOIN_SERVICE_ACCOUNTS, string>): Promise<void> {
  const { clientCertificatePaths } = await import('@k8ts/agent');
  const certDir = home.path('pki', 'node');
  const ops = o.opsPort ?? 10250;
  const base = { nodeFlags: [] as string[], env: { DOCKER_HOST: `unix://${dockerSocket}` } };
  startComponent(home, {
    ...base,
    name: node,
    pkg: 'agent',
    args: [
      '--server', o.server, '--ca-file', caFile, '--bootstrap-token-file', tokenFile, '--cert-dir', certDir,
      '--node-name', node, '--docker-socket', dockerSocket, '--pod-cidr-from-node', ...(o.nodeIp ? ['--node-ip', o.nodeIp] : []),
      '--network', settings.network, '--cluster-dns', settings.clusterDns, '--state-dir', home.path('agents', node), '--ops-port', String(ops),
      ...(settings.imageRegistry ? ['--image-registry', settings.imageRegistry, '--image-registry-names', settings.imageRegistryNames ?? ''] : []),
    ],
  });
  console.log(`[kubelet-start] agent ${node} started; waiting for its certificate (TLS bootstrap)`);
  const cred = clientCertificatePaths(certDir);
  const deadline = Date.now() + (o.timeout ?? 120) * 1000;
  while (!(existsSync(cred.certFile) && existsSync(cred.keyFile))) {
    if (runningPid(home, node) === undefined) throw new Error(`the agent exited before it had a certificate: see ${home.path('logs', `${node}.log`)} and ${home.path('logs', `${node}.out`)}`);
    if (Date.now() > deadline) throw new Error(`no node certificate after ${o.timeout ?? 120}s: is the token valid, and the controller-manager approving CSRs? (${home.path('logs', `${node}.log`)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const runAs = (k: keyof typeof JOIN_SERVICE_ACCOUNTS) => {
    const file = home.path('pki', `${JOIN_SERVICE_ACCOUNTS[k]}.token`);
    secret(file, saTokens[k] + '\n');
    return ['--server', o.server, '--ca-file', caFile, '--token-file', file];
  };
  startComponent(home, { ...base, name: `podnet-${node}`, pkg: 'agent', entry: 'network/main', args: [...runAs('podnet'), '--ops-port', String(ops + 50), '--node-name', node, '--cluster-cidr', settings.clusterCidr, '--routes', settings.podRoutes] });
  startComponent(home, {
    ...base,
    name: `proxy-${node}`,
    pkg: 'proxy',
    args: [
      ...runAs('proxy'), '--ops-port', String(ops + 6), '--node-name', node, '--network', settings.network, '--service-cluster-ip-range', settings.serviceRange,
      '--load-balancer-pool', settings.lbPool, '--cluster-cidr', settings.clusterCidr, '--chain-prefix', settings.chainPrefix, '--state-dir', home.path('proxy'), '--cleanup-on-exit',
    ],
  });
  console.log(`[kubelet-start] podnet-${node} and proxy-${node} started as kube-system/${JOIN_SERVICE_ACCOUNTS.podnet} and kube-system/${JOIN_SERVICE_ACCOUNTS.proxy}`);

  const client = new GrpcClient({ server: o.server, caFile, clientCertFile: cred.certFile, clientKeyFile: cred.keyFile, timeoutMs: 5000 });
  try {
    for (;;) {
      const n = (await client.get('nodes', '', node).catch(() => undefined)) as Node | undefined;
      if (n && isNodeReady(n)) break;
      if (Date.now() > deadline) throw new Error(`node ${node} did not become Ready within ${o.timeout ?? 120}s (${home.path('logs')})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
}
