// The compose cluster's side of the CLI: the one-shot `init` service makes its tokens, the
// `info` service prints how to reach it, and `k8ts kubeconfig --compose` builds a kubeconfig
// from the token inside the running apiserver container.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import Docker from 'dockerode';
import { Home } from '../home.js';
import { ensureTokens } from '../tokens.js';
import { kubeconfigYaml } from '../kubeconfig.js';

export const COMPOSE_API = 'http://127.0.0.1:16443';

export function composeInit(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const t = ensureTokens(new Home(dir));
  console.log(`tokens ready in ${dir} (admin token ${t.admin.slice(0, 6)}…)`);
}

export function composeInfo(): void {
  console.log(
    [
      'k8ts compose cluster is up.',
      '  pnpm k8ts kubeconfig --compose > /tmp/k8ts-compose.kubeconfig',
      '  export KUBECONFIG=/tmp/k8ts-compose.kubeconfig',
      '  kubectl get nodes',
      `The API is published on ${COMPOSE_API} (gRPC on 127.0.0.1:16444).`,
    ].join('\n'),
  );
}

export async function findComposeContainer(service: string): Promise<Docker.ContainerInfo | undefined> {
  const docker = new Docker();
  const list = await docker.listContainers({ filters: { label: [`com.docker.compose.service=${service}`] } });
  return list.find((c) => c.Image.startsWith('k8ts/'));
}

export async function composeKubeconfig(): Promise<string> {
  const api = await findComposeContainer('apiserver');
  if (!api) throw new Error('no running apiserver container of the compose cluster (docker compose up -d first)');
  const csv = execFileSync('docker', ['exec', api.Id, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/var/lib/k8ts/tokens.csv','utf8'))"], { encoding: 'utf8' });
  const admin = csv.split('\n').map((l) => l.split(',')).find((r) => r[1] === 'admin')?.[0];
  if (!admin) throw new Error('the compose cluster has no admin token');
  return kubeconfigYaml({ server: COMPOSE_API, token: admin, name: 'k8ts-compose' });
}
