// How to reach a running compose cluster from this machine: the published REST/gRPC ports on
// 127.0.0.1, the admin token and the cluster CA that `init` made in the secrets volume.
import { kubeconfigYaml } from '../kubeconfig.js';
import { adminTokenOf } from '../tokens.js';
import { readContainerFile, requireServiceContainer } from './containers.js';
import type { ComposeSettings } from './settings.js';

export interface ComposeAccess {
  url: string;
  grpc: string;
  token: string;
  ca: Buffer;
  kubeconfig: string;
}

export async function composeAccess(s: ComposeSettings): Promise<ComposeAccess> {
  const api = await requireServiceContainer(s.project, 'apiserver');
  if (api.State !== 'running') throw new Error(`the apiserver of compose project ${s.project} is ${api.State}`);
  const [csv, cert] = await Promise.all([readContainerFile(api.Id, '/var/lib/k8ts/tokens.csv'), readContainerFile(api.Id, '/var/lib/k8ts/pki/ca.crt')]);
  const token = adminTokenOf(csv);
  if (!token) throw new Error(`the compose cluster ${s.project} has no admin token`);
  const url = `https://127.0.0.1:${s.apiPort}`;
  const ca = Buffer.from(cert);
  return {
    url,
    grpc: `127.0.0.1:${s.grpcPort}`,
    token,
    ca,
    kubeconfig: kubeconfigYaml({ server: url, token, name: 'k8ts-compose', caData: ca.toString('base64') }),
  };
}
