// k8ts dns process: node --import tsx packages/dns/src/main.ts [flags]
import { Command } from 'commander';
import { createLogger, stopOnSignals } from '@k8ts/client';
import { startDns } from './index.js';

const program = new Command('k8ts-dns')
  .description('cluster DNS: <svc>.<ns>.svc.cluster.local and pod names; other names go to the host resolver')
  .option('--server <host:port>', 'apiserver gRPC address', '127.0.0.1:6444')
  .option('--token <token>', 'bearer token (env K8TS_TOKEN)')
  .option('--token-file <path>', 'file holding the bearer token')
  .option('--ops-port <n>', 'healthz/metrics port (0 = any, -1 = off)', '10054')
  .option('--listen <ip:port>', 'UDP and TCP address to serve', '10.213.0.1:53')
  .option('--upstream <ip:port,...>', 'resolvers for other names (default: nameservers of /etc/resolv.conf)')
  .option('--resolv-conf <path>', 'resolv.conf to read the upstream nameservers from', '/etc/resolv.conf')
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .parse();

const o = program.opts();
const log = createLogger('dns');
const token: string | undefined = o.token;
const tokenFile: string | undefined = o.tokenFile;
try {
  const dns = await startDns({
    server: o.server,
    token,
    tokenFile,
    opsPort: Number(o.opsPort),
    listen: o.listen,
    upstream: o.upstream,
    resolvConf: o.resolvConf,
    clusterDomain: o.clusterDomain,
  });
  stopOnSignals(log, () => dns.stop());
} catch (e) {
  const msg = String(e);
  log.fatal({ err: msg, reason: /EADDRNOTAVAIL/.test(msg) ? 'AddressNotOnHost' : /EACCES/.test(msg) ? 'NoPermission' : 'StartFailed' },
    /EADDRNOTAVAIL/.test(msg) ? 'the --listen address is not on this host (is the cluster network up?)' : /EACCES/.test(msg) ? 'port 53 needs root or CAP_NET_BIND_SERVICE' : 'dns failed');
  process.exit(1);
}
