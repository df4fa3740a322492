// The apiserver process: `node --single-threaded-gc --import tsx packages/apiserver/src/main.ts --etcd-servers …`
// (node flags: ./node-flags.ts). Logger and stop on SIGTERM: @k8ts/client's runComponent. It
// is the server the others reach, so it takes none of their --server/--token flags, and its
// healthz and metrics are on the REST port.
import { runComponent } from '@k8ts/client';
import { startApiServer, type ApiServer } from './server/start.js';
import { parseEtcdServers } from './storage/etcd-client.js';

interface ApiServerFlags {
  etcdServers: string;
  port: string;
  grpcPort: string;
  bindAddress: string;
  tokenAuthFile?: string;
  defaultTolerationSeconds: string;
  serviceClusterIpRange: string;
  loadBalancerPool: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  bookmarkInterval: string;
  authorizationMode: string;
}

await runComponent<ApiServerFlags, ApiServer>({
  name: 'apiserver',
  command: 'apiserver',
  description: 'k8ts apiserver: Kubernetes REST and the cluster gRPC API over etcd',
  client: false,
  flags: (cmd) =>
    cmd
      .option('--etcd-servers <urls>', 'etcd client URLs, comma separated', 'http://127.0.0.1:2379')
      .option('--port <n>', 'REST port (Kubernetes HTTP API)', '6443')
      .option('--grpc-port <n>', 'gRPC port (cluster API)', '6444')
      .option('--bind-address <ip>', 'address to listen on', '127.0.0.1')
      .option('--token-auth-file <path>', 'CSV of bearer tokens: token,user,uid,"group1,group2"')
      .option('--default-toleration-seconds <n>', 'tolerationSeconds of the default not-ready/unreachable tolerations', '2')
      .option('--service-cluster-ip-range <cidr>', 'Service ClusterIP range', '10.96.0.0/16')
      .option('--load-balancer-pool <cidr>', 'LoadBalancer address pool', '10.214.0.0/24')
      .option('--tls-cert-file <path>', 'serve REST over TLS with this certificate (PEM)')
      .option('--tls-private-key-file <path>', 'the private key of --tls-cert-file (PEM)')
      .option('--bookmark-interval <ms>', 'watch BOOKMARK interval in milliseconds', '5000')
      .option('--authorization-mode <modes>', 'ordered authorizers, comma separated: AlwaysAllow, AlwaysDeny, Node, RBAC', 'AlwaysAllow'),
  start: async ({ opts: o, log, int }) => {
    const server = await startApiServer({
      etcdServers: parseEtcdServers(o.etcdServers),
      port: int('--port', o.port),
      grpcPort: int('--grpc-port', o.grpcPort),
      host: o.bindAddress,
      tokenAuthFile: o.tokenAuthFile,
      defaultTolerationSeconds: int('--default-toleration-seconds', o.defaultTolerationSeconds),
      serviceClusterIpRange: o.serviceClusterIpRange,
      loadBalancerPool: o.loadBalancerPool,
      bookmarkIntervalMs: int('--bookmark-interval', o.bookmarkInterval),
      tlsCertFile: o.tlsCertFile,
      tlsPrivateKeyFile: o.tlsPrivateKeyFile,
      authorizationMode: o.authorizationMode,
      logger: log,
    });
    // Tests and `k8ts up` read this line to learn the ports picked for port 0.
    console.log(JSON.stringify({ msg: 'apiserver ready', restPort: server.restPort, grpcPort: server.grpcPort }));
    return server;
  },
});
