// Runs inside a pod (image k8ts/node:20, the repository mounted at its own path): what an
// in-cluster program does with @kubernetes/client-node. Prints one JSON line and exits 0.
import { readdirSync, readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const out = {
  env: { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, url: process.env.KUBERNETES_PORT_443_TCP },
  files: readdirSync(dir).filter((f) => !f.startsWith('.')).sort(),
  namespace: readFileSync(`${dir}/namespace`, 'utf8'),
};
const kc = new k8s.KubeConfig();
kc.loadFromCluster();
const api = kc.makeApiClient(k8s.CoreV1Api);
for (let attempt = 0; ; attempt++) {
  try {
    const r = await api.listNamespacedPod({ namespace: out.namespace });
    console.log(JSON.stringify({ ...out, ok: true, pods: r.items.map((p) => p.metadata?.name) }));
    break;
  } catch (e) {
    const code = e?.code ?? e?.statusCode;
    // Connection errors while the proxy programs the Service: try again; an HTTP answer is final.
    if (typeof code !== 'number' && attempt < 30) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    console.log(JSON.stringify({ ...out, ok: false, code, error: String(e?.body ?? e?.message ?? e).slice(0, 400) }));
    break;
  }
}
