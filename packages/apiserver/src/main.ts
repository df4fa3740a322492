// The apiserver process: `node --single-threaded-gc --conditions=k8ts-dist packages/apiserver/dist/main.js --etcd-servers …`
// (node flags: ./node-flags.ts). Logger and stop on SIGTERM: @k8ts/client's runComponent. It
// is the server the others reach, so it takes none of their --server/--token flags, and its
// healthz and metrics are on the REST port.
import { runComponent } from '@k8ts/client';
import { startApiServer, type ApiServer } from './server/start.js';
import { parseEtcdServers } from './storage/etcd-client.js';
import { parseDuration } from '@k8ts/api';
import { DEFAULT_AUDIT_LOG_MAX_BACKUPS, DEFAULT_AUDIT_LOG_MAX_SIZE_MB } from './audit/log.js';

interface ApiServerFlags {
  etcdServers: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  etcdClientThread: boolean;
  port: string;
  grpcPort: string;
  bindAddress: string;
  tokenAuthFile?: string;
  enableBootstrapTokenAuth?: boolean;
  defaultTolerationSeconds: string;
  serviceClusterIpRange: string;
  loadBalancerPool: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  grpcTlsCertFile?: string;
  grpcTlsPrivateKeyFile?: string;
  bookmarkInterval: string;
  metricResolution: string;
  enableAdmissionPlugins?: string;
  encryptionProviderConfig?: string;
  admissionControlConfigFile?: string;
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFile: string[];
  serviceAccountIssuer: string[];
  apiAudiences?: string;
  advertiseAddress?: string;
  authorizationMode: string;
  auditLogPath?: string;
  auditPolicyFile?: string;
  auditLogMaxsize: string;
  auditLogMaxbackup: string;
  maxRequestsInflight: string;
  maxMutatingRequestsInflight: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

await runComponent<ApiServerFlags, ApiServer>({
  name: 'apiserver',
  command: 'apiserver',
  description: 'k8ts apiserver: Kubernetes REST and the cluster gRPC API over etcd',
  client: false,
  flags: (cmd) =>
    cmd
      .option('--etcd-servers <urls>', 'etcd client URLs, comma separated (https:// ones over TLS)', 'http://127.0.0.1:2379')
      .option('--etcd-cafile <path>', 'SSL Certificate Authority file used to secure etcd communication')
      .option('--etcd-certfile <path>', 'SSL certification file used to secure etcd communication')
      .option('--etcd-keyfile <path>', 'SSL key file used to secure etcd communication')
      .option('--no-etcd-client-thread', "make the registry's etcd reads and writes from the serving thread instead of a thread of their own")
      .option('--port <n>', 'REST port (Kubernetes HTTP API)', '6443')
      .option('--grpc-port <n>', 'gRPC port (cluster API)', '6444')
      .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
      .option('--token-auth-file <path>', 'CSV of bearer tokens: token,user,uid,"group1,group2"')
      .option('--enable-bootstrap-token-auth', 'let bootstrap token Secrets in kube-system authenticate (system:bootstrap:<id>)')
      .option('--default-toleration-seconds <n>', 'tolerationSeconds of the default not-ready/unreachable tolerations', '2')
      .option('--service-cluster-ip-range <cidr>', 'Service ClusterIP range', '10.96.0.0/16')
      .option('--load-balancer-pool <cidr>', 'LoadBalancer address pool', '10.214.0.0/24')
      .option('--tls-cert-file <path>', 'serve REST over TLS with this certificate (PEM)')
      .option('--tls-private-key-file <path>', 'the private key of --tls-cert-file (PEM)')
      .option('--bookmark-interval <ms>', 'watch BOOKMARK interval in milliseconds', '5000')
      .option('--metric-resolution <duration>', "how often the agents' /metrics/resource is scraped for metrics.k8s.io (metrics-server's flag)", '15s')
      .option('--enable-admission-plugins <names>', 'optional admission plugins, comma separated (DenyServiceExternalIPs)')
      .option('--encryption-provider-config <path>', 'EncryptionConfiguration file: encrypt these resources in etcd (aesgcm, aescbc, secretbox, identity)')
      .option('--admission-control-config-file <path>', 'AdmissionConfiguration file (PodSecurity defaults and exemptions)')
      .option('--service-account-signing-key-file <path>', 'private key (PEM) that signs service account tokens')
      .option('--service-account-key-file <path>', 'PEM file of keys that verify service account tokens (repeatable)', collect, [])
      .option('--service-account-issuer <url>', 'issuer of service account tokens (repeatable; the first issues)', collect, [])
      .option('--api-audiences <list>', 'audiences a service account token must name, comma separated (default: the issuers)')
      .option('--advertise-address <ip>', 'address pods reach this apiserver at: the kubernetes Service endpoint')
      .option('--client-ca-file <path>', 'client certificates signed by this CA (PEM) authenticate: CN is the user, O the groups')
      .option('--grpc-tls-cert-file <path>', 'serve gRPC over TLS with this certificate (PEM; may be --tls-cert-file)')
      .option('--grpc-tls-private-key-file <path>', 'the private key of --grpc-tls-cert-file (PEM)')
      .option('--authorization-mode <modes>', 'ordered authorizers, comma separated: AlwaysAllow, AlwaysDeny, Node, RBAC', 'AlwaysAllow')
      .option('--audit-log-path <path>', "write an audit.k8s.io/v1 Event per request to this file as JSON lines ('-': standard out); without --audit-policy-file every request is logged at Metadata (kube-apiserver logs nothing without a policy)")
      .option('--audit-policy-file <path>', 'audit.k8s.io/v1 Policy: which requests are logged (None, Metadata; Request and RequestResponse are logged at Metadata, without bodies)')
      .option('--audit-log-maxsize <MB>', 'size in megabytes at which the audit log is rotated; 0: never (kube-apiserver default 0)', String(DEFAULT_AUDIT_LOG_MAX_SIZE_MB))
      .option('--audit-log-maxbackup <n>', 'rotated audit log files kept (audit.log.1 newest); 0: no limit, named by rotation time (kube-apiserver default 0)', String(DEFAULT_AUDIT_LOG_MAX_BACKUPS))
      .option('--max-requests-inflight <n>', 'seats for requests in flight at once, added to --max-mutating-requests-inflight and shared by the priority levels (leader election, nodes, components, service accounts, everyone else); beyond a level\'s seats and queue: 429 with Retry-After; 0 for both: no limit', '400')
      .option('--max-mutating-requests-inflight <n>', 'seats added to --max-requests-inflight (kept for kube-apiserver\'s flag; the levels do not tell reads from writes)', '200'),
  start: async ({ opts: o, log, int, fail }) => {
    const server = await startApiServer({
      etcdServers: parseEtcdServers(o.etcdServers),
      etcdCaFile: o.etcdCafile,
      etcdCertFile: o.etcdCertfile,
      etcdKeyFile: o.etcdKeyfile,
      etcdClientThread: o.etcdClientThread,
      port: int('--port', o.port),
      grpcPort: int('--grpc-port', o.grpcPort),
      host: o.bindAddress,
      tokenAuthFile: o.tokenAuthFile,
      enableBootstrapTokenAuth: !!o.enableBootstrapTokenAuth,
      defaultTolerationSeconds: int('--default-toleration-seconds', o.defaultTolerationSeconds),
      serviceClusterIpRange: o.serviceClusterIpRange,
      loadBalancerPool: o.loadBalancerPool,
      bookmarkIntervalMs: int('--bookmark-interval', o.bookmarkInterval),
      metricResolutionMs: metricResolution(o.metricResolution, fail),
      tlsCertFile: o.tlsCertFile,
      tlsPrivateKeyFile: o.tlsPrivateKeyFile,
      enableAdmissionPlugins: o.enableAdmissionPlugins,
      encryptionProviderConfig: o.encryptionProviderConfig,
      admissionControlConfigFile: o.admissionControlConfigFile,
      serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile,
      serviceAccountKeyFiles: o.serviceAccountKeyFile,
      serviceAccountIssuers: o.serviceAccountIssuer,
      apiAudiences: o.apiAudiences?.split(',').map((a) => a.trim()).filter(Boolean),
      advertiseAddress: o.advertiseAddress,
      clientCaFile: o.clientCaFile,
      grpcTlsCertFile: o.grpcTlsCertFile,
      grpcTlsPrivateKeyFile: o.grpcTlsPrivateKeyFile,
      authorizationMode: o.authorizationMode,
      auditLogPath: o.auditLogPath,
      auditPolicyFile: o.auditPolicyFile,
      auditLogMaxSize: int('--audit-log-maxsize', o.auditLogMaxsize),
      auditLogMaxBackup: int('--audit-log-maxbackup', o.auditLogMaxbackup),
      maxRequestsInflight: int('--max-requests-inflight', o.maxRequestsInflight),
      maxMutatingRequestsInflight: int('--max-mutating-requests-inflight', o.maxMutatingRequestsInflight),
      logger: log,
    });
    // Tests and `k8ts up` read this line to learn the ports picked for port 0.
    console.log(JSON.stringify({ msg: 'apiserver ready', restPort: server.restPort, grpcPort: server.grpcPort }));
    return server;
  },
});

function metricResolution(v: string, fail: (msg: string) => never): number {
  try {
    const ms = parseDuration(v);
    if (ms >= 1000) return ms;
  } catch {
    // worded below
  }
  return fail(`--metric-resolution: ${JSON.stringify(v)} is not a duration of at least 1s`);
}
