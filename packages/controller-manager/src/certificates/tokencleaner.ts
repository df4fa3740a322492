// tokencleaner (pkg/controller/bootstrap/tokencleaner.go): bootstrap token Secrets in
// kube-system are deleted once their expiration has passed.
import type { KubeObject } from '@k8ts/api';
import { BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenExpiration, isBootstrapTokenExpired } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';

const NAMESPACE = 'kube-system';

export class TokenCleaner {
  static readonly controllerName = 'tokencleaner';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { secrets: Lister<KubeObject> },
    private readonly queue: Queue,
  ) {}

  onSecret = (s: KubeObject) => {
    if (s.metadata?.namespace === NAMESPACE && (s as { type?: string }).type === BOOTSTRAP_TOKEN_SECRET_TYPE) this.queue.add(s.metadata.name!);
  };
  updateSecret = (_o: KubeObject, s: KubeObject) => this.onSecret(s);

  async sync(name: string): Promise<void> {
    const s = this.listers.secrets.get(NAMESPACE, name);
    if (!s || s.metadata.deletionTimestamp || (s as { type?: string }).type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return;
    const now = this.ctx.now?.() ?? Date.now();
    if (!isBootstrapTokenExpired(s, now)) {
      const exp = bootstrapTokenExpiration(s);
      if (exp) this.queue.addAfter(name, Math.max(0, exp.getTime() - now) + 100);
      return;
    }
    try {
      await this.ctx.client.delete('secrets', NAMESPACE, name, { preconditions: { uid: s.metadata.uid } } as never);
      this.ctx.logger.info({ secret: `${NAMESPACE}/${name}` }, 'deleted expired bootstrap token');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
