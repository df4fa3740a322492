// csrsigning (pkg/controller/certificates/signer): approved CSRs for the kubelet client and
// kube-apiserver client signers get a certificate from the cluster CA
// (--cluster-signing-cert-file/--cluster-signing-key-file), valid for spec.expirationSeconds
// capped at --cluster-signing-duration. A request the signer's rules refuse gets Failed.
import { readFileSync } from 'node:fs';
import { deepCopy, rfc3339 } from '@k8ts/api';
import { signCsr } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, apiserverClientProblem, hasCondition, kubeletClientProblem, parsedRequest, type CsrObject } from './csr-rules.js';

export interface SigningCa {
  certPem: string;
  keyPem: string;
  /** The longest validity given (kube-controller-manager's --cluster-signing-duration, 1 year by default). */
  maxDurationSeconds: number;
}

export const DEFAULT_SIGNING_DURATION_SECONDS = 365 * 24 * 3600;

export function loadSigningCa(certFile: string, keyFile: string, maxDurationSeconds = DEFAULT_SIGNING_DURATION_SECONDS): SigningCa {
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), maxDurationSeconds };
}

const SIGNERS = new Set([KUBELET_CLIENT_SIGNER, APISERVER_CLIENT_SIGNER]);

export class CsrSigningController {
  static readonly controllerName = 'csrsigning';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { csrs: Lister<CsrObject> },
    private readonly queue: Queue,
    private readonly ca: SigningCa,
  ) {}

  onCsr = (csr: CsrObject) => {
    if (this.wants(csr)) this.queue.add(csr.metadata.name!);
  };
  updateCsr = (_o: CsrObject, csr: CsrObject) => this.onCsr(csr);

  private wants(csr: CsrObject): boolean {
    return SIGNERS.has(csr.spec?.signerName ?? '') && hasCondition(csr, 'Approved') && !hasCondition(csr, 'Failed') && !csr.status?.certificate;
  }

  async sync(name: string): Promise<void> {
    const csr = this.listers.csrs.get('', name);
    if (!csr || !this.wants(csr)) return;
    const next = deepCopy(csr);
    const problem = this.problem(csr);
    if (problem) {
      const now = rfc3339(new Date(this.ctx.now?.() ?? Date.now()));
      next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now } as never] };
    } else {
      const asked = csr.spec.expirationSeconds;
      const durationSeconds = typeof asked === 'number' && asked > 0 ? Math.min(asked, this.ca.maxDurationSeconds) : this.ca.maxDurationSeconds;
      const pem = signCsr({ csrPem: Buffer.from(csr.spec.request!, 'base64').toString('utf8'), caCertPem: this.ca.certPem, caKeyPem: this.ca.keyPem, usages: csr.spec.usages ?? [], durationSeconds });
      next.status = { ...(next.status ?? {}), certificate: Buffer.from(pem).toString('base64') };
    }
    await this.ctx.client.update('certificatesigningrequests', next, { subresource: 'status' });
    this.ctx.logger.info({ csr: name, signer: csr.spec.signerName, failed: !!problem }, problem ? 'certificate signing request failed' : 'certificate issued');
  }

  private problem(csr: CsrObject): string | null {
    let parsed;
    try {
      parsed = parsedRequest(csr);
    } catch (err) {
      return (err as Error).message;
    }
    const usages = csr.spec.usages ?? [];
    return csr.spec.signerName === KUBELET_CLIENT_SIGNER ? kubeletClientProblem(parsed, usages) : apiserverClientProblem(parsed, usages);
  }
}
