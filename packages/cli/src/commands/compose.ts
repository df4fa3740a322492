// The compose cluster's side of the CLI: the one-shot `init` service makes its tokens and
// serving certificate, the `info` service prints how to reach it, `k8ts kubeconfig --compose`
// builds a kubeconfig from what `init` made, and `k8ts down --compose` removes all it left.
import { composeAccess } from '../compose/access.js';
import { composeDown } from '../compose/cleanup.js';
import { resolveSettings } from '../compose/project.js';
import { COMPOSE_DEFAULTS, composeNodes } from '../compose/settings.js';


export function composeInfo(): void {
  const port = process.env.K8TS_COMPOSE_API_PORT ?? String(COMPOSE_DEFAULTS.apiPort);
  const project = process.env.K8TS_COMPOSE_PROJECT ? ` --project ${process.env.K8TS_COMPOSE_PROJECT}` : '';
  console.log(
    [
      'k8ts compose cluster is up: three agents are healthy. From the repository on this machine:',
      `  pnpm k8ts kubeconfig --compose${project} > /tmp/k8ts-compose.kubeconfig`,
      '  export KUBECONFIG=/tmp/k8ts-compose.kubeconfig',
      '  kubectl get nodes',
      `The API is published on https://127.0.0.1:${port} (TLS with the cluster's own CA; the kubeconfig trusts it).`,
      `Remove everything it leaves (pod containers, network, proxy rules, state): pnpm k8ts down --compose${project}`,
    ].join('\n'),
  );
}

export async function composeKubeconfig(project?: string): Promise<string> {
  return (await composeAccess(await resolveSettings(project))).kubeconfig;
}

export async function composeDownCommand(project?: string, o: { keepState?: boolean } = {}): Promise<void> {
  const s = await resolveSettings(project);
  const r = await composeDown(s, o);
  if (r.nothing) {
    console.log(`compose cluster ${s.project} is not running and left nothing here; nothing to remove.`);
    return;
  }
  console.log(`compose cluster ${s.project} is down: ${r.pods} pod container(s) of ${composeNodes(s).join(', ')} removed${r.network ? `, network ${s.network} removed` : ''}, proxy rules ${s.chainPrefix}-* removed${o.keepState ? '' : `, ${s.stateDir} deleted`}.`);
  for (const e of r.errors) console.error(`warning: ${e}`);
}
