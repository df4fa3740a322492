// The certificate controllers as the manager runs them: csrapproving, csrsigning and the
// bootstrap tokencleaner.
import type { KubeObject, Node } from '@k8ts/api';
import { on, type ControllerDefinition } from '../framework/wiring.js';
import { CsrApprovingController } from './approver.js';
import { CsrSigningController, DEFAULT_SIGNING_DURATION_SECONDS, loadSigningCa } from './signer.js';
import { TokenCleaner } from './tokencleaner.js';
import type { CsrObject } from './csr-rules.js';

export const CERTIFICATE_CONTROLLERS: ControllerDefinition[] = [
  {
    name: 'csrapproving',
    component: 'certificate-controller',
    build(w) {
      const c = new CsrApprovingController(w.ctx, { csrs: w.lister<CsrObject>('certificatesigningrequests'), nodes: w.lister<Node>('nodes') }, w.queue);
      on(w.informer<CsrObject>('certificatesigningrequests'), { add: c.onCsr, update: c.updateCsr });
      w.informer<Node>('nodes');
      return c;
    },
  },
  {
    name: 'csrsigning',
    component: 'certificate-controller',
    build(w) {
      const o = w.ctx.options;
      if (!o.clusterSigningCertFile || !o.clusterSigningKeyFile) {
        w.ctx.logger.info('csrsigning: no --cluster-signing-cert-file/--cluster-signing-key-file, signing nothing');
        return { sync: async () => {} };
      }
      const ca = loadSigningCa(o.clusterSigningCertFile, o.clusterSigningKeyFile, o.clusterSigningDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS);
      const c = new CsrSigningController(w.ctx, { csrs: w.lister<CsrObject>('certificatesigningrequests') }, w.queue, ca);
      on(w.informer<CsrObject>('certificatesigningrequests'), { add: c.onCsr, update: c.updateCsr });
      return c;
    },
  },
  {
    name: 'tokencleaner',
    component: 'tokencleaner',
    build(w) {
      const c = new TokenCleaner(w.ctx, { secrets: w.lister<KubeObject>('secrets') }, w.queue);
      on(w.informer<KubeObject>('secrets'), { add: c.onSecret, update: c.updateSecret });
      return c;
    },
  },
];
