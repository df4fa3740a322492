// k8ts dns process: node --conditions=k8ts-dist packages/dns/dist/main.js [flags]
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import { runComponent } from '@k8ts/client';
import { startDns, type RunningDns } from './index.js';

interface DnsFlags {
  listen: string;
  upstream?: string;
  resolvConf: string;
  clusterDomain: string;
}

await runComponent<DnsFlags, RunningDns>({
  name: 'dns',
  command: 'k8ts-dns',
  description: 'cluster DNS: <svc>.<ns>.svc.cluster.local and pod names; other names go to the host resolver',
  opsPort: 10054,
  flags: (cmd) =>
    cmd
      .option('--listen <ip:port>', 'UDP and TCP address to serve', '10.213.0.1:53')
      .option('--upstream <ip:port,...>', 'resolvers for other names (default: nameservers of /etc/resolv.conf)')
      .option('--resolv-conf <path>', 'resolv.conf to read the upstream nameservers from', '/etc/resolv.conf')
      .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local'),
  start: ({ opts: o, server, token, ops }) =>
    startDns({ server, token, ops, listen: o.listen, upstream: o.upstream, resolvConf: o.resolvConf, clusterDomain: o.clusterDomain }),
  startFailed: (err, log) => {
    const msg = String(err);
    const [reason, message] = /EADDRNOTAVAIL/.test(msg)
      ? ['AddressNotOnHost', 'the --listen address is not on this host (is the cluster network up?)']
      : /EACCES/.test(msg)
        ? ['NoPermission', 'port 53 needs root or CAP_NET_BIND_SERVICE']
        : ['StartFailed', 'dns failed'];
    log.fatal({ err: msg, reason }, message);
    return 1;
  },
});
