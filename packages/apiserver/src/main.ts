// The apiserver process: `node --single-threaded-gc --import tsx packages/apiserver/src/main.ts --etcd-servers …`
// (node flags: ./node-flags.ts)
import { Command } from 'commander';
import { createLogger, stopOnSignals } from '@k8ts/client';
import { startApiServer } from './server/start.js';
import { parseEtcdServers } from './storage/etcd-client.js';

const program = new Command('apiserver')
  .description('k8ts apiserver: Kubernetes REST and the cluster gRPC API over etcd')
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
  .parse();

const o = program.opts();
const logger = createLogger('apiserver');

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) {
    logger.fatal(`${name} must be an integer, got ${v}`);
    process.exit(2);
  }
  return n;
}

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
  logger,
}).catch((err) => {
  logger.fatal({ err: (err as Error).stack ?? String(err) }, 'apiserver failed to start');
  process.exit(1);
});

// Tests and `k8ts up` read this line to learn the ports picked for port 0.
console.log(JSON.stringify({ msg: 'apiserver ready', restPort: server.restPort, grpcPort: server.grpcPort }));

stopOnSignals(logger, () => server.stop());
