// The compose cluster's three etcd members: their certificates (made by `init` in the secrets
// volume, each member's pair in pki/etcd/<member>/) and how the CLI asks one of them for its
// raft status from the host. etcd wants a client certificate of its CA (--client-cert-auth):
// the CLI uses the healthcheck client's, read out of a member's container, and checks the
// member's serving certificate against its service name (its SANs do not hold container IPs).
import https from 'node:https';
import tls from 'node:tls';
import { etcdPkiPaths, type EtcdMember } from '../etcd-pki.js';
import { readContainerFile } from './containers.js';

export const COMPOSE_ETCD_SERVICES = ['etcd-1', 'etcd-2', 'etcd-3'];
export const COMPOSE_ETCD_MEMBERS: EtcdMember[] = COMPOSE_ETCD_SERVICES.map((name) => ({ name, hostnames: [name], ownDir: true }));
/** Where `init` keeps the PKI inside the containers (the secrets volume). */
export const COMPOSE_PKI_DIR = '/var/lib/k8ts/pki';

export interface EtcdClientPem {
  ca: string;
  cert: string;
  key: string;
}

/** The healthcheck client's certificate, key and the etcd CA, read in a container that mounts the secrets volume. */
export async function readEtcdHealthcheckClient(containerId: string): Promise<EtcdClientPem> {
  const f = etcdPkiPaths(COMPOSE_PKI_DIR).healthcheckClient;
  const [ca, cert, key] = await Promise.all([f.caFile, f.certFile, f.keyFile].map((p) => readContainerFile(containerId, p)));
  return { ca: ca!, cert: cert!, key: key! };
}

export interface EtcdMemberStatus {
  memberId?: string;
  leader?: string;
}

/** One member's /v3/maintenance/status (its id and the leader it knows), or undefined when it does not answer. */
export function etcdMemberStatus(ip: string, service: string, client: EtcdClientPem, timeoutMs = 2000): Promise<EtcdMemberStatus | undefined> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: ip,
        port: 2379,
        path: '/v3/maintenance/status',
        method: 'POST',
        ca: client.ca,
        cert: client.cert,
        key: client.key,
        servername: service,
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(service, cert),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          try {
            const st = JSON.parse(body) as { header?: { member_id?: string }; leader?: string };
            resolve({ memberId: st.header?.member_id, leader: st.leader });
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end('{}');
  });
}
