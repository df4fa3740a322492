// How each process of the embedded cluster is started: its name, package and flags. `up`
// starts them in this order; `down` stops them in reverse.
import { nodeNames, proxyArgs, type ClusterConfig, type Home } from './home.js';
import type { ServingCert, Tokens } from './tokens.js';
import { ensureEncryptionConfig } from './encryption-config.js';
import { componentIdentity, type Identity } from '@k8ts/client';
import { credentialFlags, type ClientCredential } from './cluster-pki.js';
import { hostname } from 'node:os';
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';
import { COMPONENT_ENV, COMPONENT_NODE_FLAGS } from '@k8ts/client/node-flags';
import { ADMISSION_CONFIG_FILE } from './admission-config.js';
import { serviceAccountArgs } from './service-account-key.js';
import { etcdPkiPaths, type EtcdMember, type EtcdMemberFiles, type EtcdClientFiles } from './etcd-pki.js';
import { auditArgs } from './audit-log.js';
import { agentRegistryArgs } from './registry/layout.js';
import { machineAgentArgs, machinePodnetArgs, machineProxyArgs, machinesLayout, nodeIpamArgs } from './machines/layout.js';

export interface ComponentSpec {
  name: string; // pid/log file name
  pkg: string; // packages/<pkg>/src/main.ts; "" for etcd
  /** Another main module of the package (podnet: network/main). */
  entry?: string;
  args: string[];
  /** Flags for node itself, before the component's main module. */
  nodeFlags?: readonly string[];
  /** Environment beside the cluster's own (K8TS_LOG_FILE). */
  env?: Readonly<Record<string, string>>;
  needsRoot?: boolean;
  /** With machines: the namespace of the machine it runs in (its proxy). */
  netns?: string;
  /** Who it is to the apiserver (its client certificate); none for the apiserver itself. */
  identity?: Identity;
}

/** The client credential of an identity (ensureClientCredential, or a test's). */
export type CredentialFor = (id: Identity) => ClientCredential;

/** The package of a process `up` started, by its name (scheduler-2 → scheduler, agent-1 → agent). */
export function pkgOfProcess(name: string, c: ClusterConfig): string {
  if (nodeNames(c).includes(name)) return 'agent';
  if (name.startsWith('podnet-')) return 'podnet';
  if (name.startsWith('proxy-')) return 'proxy';
  return name.replace(/-\d+$/, '');
}

/** The identity a process of `up` runs as, from its spec name and package. */
export function identityOf(name: string, pkg: string): Identity | undefined {
  return componentIdentity(pkg, pkg === 'agent' ? name : undefined);
}

/** The one etcd member of `k8ts up` (its certificates in <home>/pki/etcd, as kubeadm's). */
export const EMBEDDED_ETCD_MEMBER: EtcdMember = { name: 'k8ts', hostnames: [hostname()] };

/** Where etcd answers /health and /metrics without a certificate: loopback, after the peer port (kubeadm's 2381). */
export function etcdMetricsPort(c: ClusterConfig): number {
  return c.etcdPeerPort + 1;
}

export function etcdArgs(home: Home, c: ClusterConfig): string[] {
  const client = `https://127.0.0.1:${c.etcdClientPort}`;
  const peer = `https://127.0.0.1:${c.etcdPeerPort}`;
  return [
    '--name', EMBEDDED_ETCD_MEMBER.name,
    '--data-dir', home.path('etcd'),
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `${EMBEDDED_ETCD_MEMBER.name}=${peer}`,
    '--listen-metrics-urls', `http://127.0.0.1:${etcdMetricsPort(c)}`,
    ...etcdTlsFlags(etcdPkiPaths(home.path('pki')).member(EMBEDDED_ETCD_MEMBER)),
    '--auto-compaction-mode', 'revision',
    '--auto-compaction-retention', '10000',
    '--logger', 'zap',
  ];
}

/**
 * etcd's TLS flags as kubeadm's etcd manifest sets them: clients and peers over TLS, each
 * with a certificate of the etcd CA (--client-cert-auth, --peer-client-cert-auth). Go's boolean
 * flags take their value after `=`.
 */
export function etcdTlsFlags(f: EtcdMemberFiles): string[] {
  return [
    '--cert-file', f.certFile,
    '--key-file', f.keyFile,
    '--client-cert-auth=true',
    '--trusted-ca-file', f.trustedCaFile,
    '--peer-cert-file', f.peerCertFile,
    '--peer-key-file', f.peerKeyFile,
    '--peer-client-cert-auth=true',
    '--peer-trusted-ca-file', f.trustedCaFile,
  ];
}

/** kube-apiserver's flags for a TLS etcd: its servers and the apiserver-etcd-client certificate. */
export function apiserverEtcdFlags(servers: string[], client: EtcdClientFiles): string[] {
  return ['--etcd-servers', servers.join(','), '--etcd-cafile', client.caFile, '--etcd-certfile', client.certFile, '--etcd-keyfile', client.keyFile];
}

/** `registry`: the cluster registry runs (registry/layout.ts): the agents pull through it. */
export function componentSpecs(home: Home, c: ClusterConfig, t: Tokens, cert: ServingCert, credentialFor: CredentialFor, o: { registry?: boolean } = {}): ComponentSpec[] {
  // Each process authenticates with a client certificate of its own, over TLS.
  // From a machine's namespace the apiserver is at the host's LAN address.
  const clientOf = (pkg: string, node?: string, host = '127.0.0.1'): string[] => ['--server', `${host}:${c.grpcPort}`, ...credentialFlags(credentialFor(componentIdentity(pkg, node)!))];
  const ops = (port: number) => ['--ops-port', String(port + c.opsPortOffset)];
  const machines = c.machines > 0 ? machinesLayout(c, home) : undefined;
  const specs: ComponentSpec[] = [
    {
      name: 'apiserver',
      pkg: 'apiserver',
      nodeFlags: APISERVER_NODE_FLAGS,
      args: [
        ...apiserverEtcdFlags([`https://127.0.0.1:${c.etcdClientPort}`], etcdPkiPaths(home.path('pki')).apiserverClient),
        '--port', String(c.apiPort),
        // Machines reach it over their LAN (kube-apiserver's default: every address).
        ...(machines ? ['--bind-address', '0.0.0.0'] : []),
        '--grpc-port', String(c.grpcPort),
        '--token-auth-file', t.csvPath,
        '--tls-cert-file', cert.certPath,
        '--tls-private-key-file', cert.keyPath,
        '--client-ca-file', cert.caPath,
        '--grpc-tls-cert-file', cert.certPath,
        '--grpc-tls-private-key-file', cert.keyPath,
        '--default-toleration-seconds', String(c.defaultTolerationSeconds),
        '--service-cluster-ip-range', c.serviceRange,
        '--load-balancer-pool', c.lbPool,
        '--encryption-provider-config', ensureEncryptionConfig(home),
        '--admission-control-config-file', home.path(ADMISSION_CONFIG_FILE),
        // Service accounts: the token key, and the address pods reach the apiserver at (the
        // cluster bridge's gateway; REST listens there too): the kubernetes Service's endpoint.
        ...serviceAccountArgs(home.path('sa.key')),
        '--advertise-address', c.gateway,
        '--authorization-mode', 'Node,RBAC',
        // agents joining later: `k8ts token create`, then a CSR the controller-manager approves
        '--enable-bootstrap-token-auth',
        // logs/audit.log, capped (./audit-log.ts)
        ...auditArgs(home),
      ],
    },
    // Leader-elected through their Leases in kube-system: one replica works, the others wait
    // (and take over within the 4 s lease when the leader dies). Replica i>1 has its ops
    // port 10 higher per replica.
    ...replicaNames('scheduler', c).map((name, i) => ({ name, pkg: 'scheduler', args: [...clientOf('scheduler'), ...ops(10259 + 10 * i), '--identity', `${hostname()}_${name}`] })),
    ...replicaNames('controller-manager', c).map((name, i) => ({
      name,
      pkg: 'controller-manager',
      args: [
        ...clientOf('controller-manager'),
        ...ops(10257 + 10 * i),
        '--node-monitor-grace-period', String(c.nodeMonitorGracePeriod),
        '--root-ca-file', cert.caPath,
        // The CSR signer's CA (agents joining later get their certificates through it).
        '--cluster-signing-cert-file', cert.caPath,
        '--cluster-signing-key-file', cert.caKeyPath,
        // Machines: each node's pod range from nodeipam.
        ...(machines ? nodeIpamArgs(machines, c.serviceRange) : []),
      ],
    })),
    { name: 'dns', pkg: 'dns', args: [...clientOf('dns'), ...ops(10054), '--listen', `${c.clusterDns}:53`] },
    // HTTP on every host address (pods and the host reach it at the gateway); the gateway is
    // the address `kubectl get ing` shows.
    { name: 'ingress', pkg: 'ingress', args: [...clientOf('ingress'), ...ops(10246), '--listen', `0.0.0.0:${c.ingressPort}`, '--publish-address', c.gateway] },
    { name: 'proxy', pkg: 'proxy', needsRoot: true, args: [...clientOf('proxy'), ...ops(10256), ...proxyArgs(c), '--cleanup-on-exit', '--node-name', nodeNames(c)[0] ?? `${c.nodePrefix}-1`] },
  ];
  // The host is on the machines' LAN but is no node: one podnet keeps its routes to every
  // node's pods (the apiserver's proxy, the ingress controller and drills' probes reach them).
  if (machines) specs.push({ name: 'podnet-host', pkg: 'agent', entry: 'network/main', needsRoot: true, identity: componentIdentity('podnet'), args: [...clientOf('podnet'), ...ops(10299), ...machinePodnetArgs(machines), '--routes-only'] });
  specs.push(...nodeSpecs(home, c, clientOf, ops, o.registry ? agentRegistryArgs(c, machines) : []));
  return specs.map(completeSpec);
}

/** Per node its agent and, with machines, its podnet (flanneld's place, with an identity of its own). */
function nodeSpecs(home: Home, c: ClusterConfig, clientOf: (pkg: string, node?: string, host?: string) => string[], ops: (port: number) => string[], registryArgs: string[]): ComponentSpec[] {
  const machines = c.machines > 0 ? machinesLayout(c, home) : undefined;
  return nodeNames(c).flatMap((node, i): ComponentSpec[] => {
    const agent: ComponentSpec = {
      name: node,
      pkg: 'agent',
      // With machines, inside its machine's namespace (as a kubelet on its host), reaching the
      // apiserver over the LAN: a partition of the machine cuts it off as it cuts its pods.
      ...(machines ? { netns: machines.machines[i]!.nsPath } : {}),
      args: [
        ...clientOf('agent', node, machines?.hostIP),
        '--node-name', node,
        ...ops(10251 + i),
        '--network', c.network,
        '--subnet', c.subnet,
        '--ip-range', c.ipRange,
        '--gateway', c.gateway,
        '--cluster-dns', c.clusterDns,
        '--state-dir', home.path('agents', node),
        ...(machines ? machineAgentArgs(machines.machines[i]!) : []),
        ...registryArgs,
      ],
    };
    if (!machines) return [agent];
    const m = machines.machines[i]!;
    const podnet: ComponentSpec = { name: `podnet-${node}`, pkg: 'agent', entry: 'network/main', needsRoot: true, netns: m.nsPath, identity: componentIdentity('podnet'), args: [...clientOf('podnet', undefined, machines.hostIP), ...ops(10300 + i), '--node-name', node, ...machinePodnetArgs(machines)] };
    // kube-proxy's place on each machine, likewise inside: its rules, routes and node ports
    // are that machine's.
    const proxy: ComponentSpec = {
      name: `proxy-${node}`,
      pkg: 'proxy',
      needsRoot: true,
      netns: m.nsPath,
      env: { DOCKER_HOST: `unix://${m.socket}` },
      args: [...clientOf('proxy', undefined, machines.hostIP), ...ops(10320 + i), ...machineProxyArgs(c, machines, m), '--cleanup-on-exit'],
    };
    return [agent, podnet, proxy];
  });
}

/** Who a process is to the apiserver, and how node runs it (the apiserver has flags of its own). */
function completeSpec(s: ComponentSpec): ComponentSpec {
  const own = s.pkg === 'apiserver' ? {} : { nodeFlags: COMPONENT_NODE_FLAGS, env: { ...COMPONENT_ENV, ...s.env } };
  return { ...s, ...own, identity: s.identity ?? identityOf(s.name, s.pkg) };
}

/** scheduler-1..N (N = controlPlaneReplicas). */
export function replicaNames(component: string, c: ClusterConfig): string[] {
  return Array.from({ length: Math.max(1, c.controlPlaneReplicas) }, (_, i) => `${component}-${i + 1}`);
}
