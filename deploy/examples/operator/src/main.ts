// Runs the WebApp operator with the kubeconfig kubectl would use ($KUBECONFIG, ~/.kube/config,
// or the pod's service account in a cluster) until SIGTERM or SIGINT. Logs are JSON lines.
import { KubeConfig } from '@kubernetes/client-node';
import { WebAppOperator } from './operator.js';

const kc = new KubeConfig();
kc.loadFromDefault();
const log = (msg: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ time: new Date().toISOString(), component: 'webapp-operator', msg, ...fields }));
const operator = new WebAppOperator(kc, log);
await operator.start();
log('started');
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    void operator.stop().then(() => process.exit(0));
  });
}
