// csrapproving (pkg/controller/certificates/approver): kubelet client CSRs from bootstrappers
// and from nodes renewing their own certificate are approved through /approval; invalid ones
// are denied with a reason (see approve-decision.ts). Others wait for a person.
import type { Node } from '@k8ts/api';
import { deepCopy, rfc3339 } from '@k8ts/api';
import type { ParsedCsr } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { decideApproval } from './approve-decision.js';
import { hasCondition, parsedRequest, type CsrObject } from './csr-rules.js';

export class CsrApprovingController {
  static readonly controllerName = 'csrapproving';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { csrs: Lister<CsrObject>; nodes: Lister<Node> },
    private readonly queue: Queue,
  ) {}

  onCsr = (csr: CsrObject) => {
    if (!hasCondition(csr, 'Approved') && !hasCondition(csr, 'Denied')) this.queue.add(csr.metadata.name!);
  };
  updateCsr = (_o: CsrObject, csr: CsrObject) => this.onCsr(csr);

  private nodeReady = (name: string): boolean => {
    const node = this.listers.nodes.get('', name);
    return !!node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  };

  async sync(name: string): Promise<void> {
    const csr = this.listers.csrs.get('', name);
    if (!csr || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
    let parsed: ParsedCsr | undefined;
    try {
      parsed = parsedRequest(csr);
    } catch {
      parsed = undefined;
    }
    const d = decideApproval(csr, parsed, this.nodeReady);
    if (d.action === 'none') return;
    const next = deepCopy(csr);
    const now = rfc3339(new Date(this.ctx.now?.() ?? Date.now()));
    const type = d.action === 'approve' ? 'Approved' : 'Denied';
    next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), { type, status: 'True', reason: d.reason, message: d.message, lastUpdateTime: now, lastTransitionTime: now } as never] };
    await this.ctx.client.update('certificatesigningrequests', next, { subresource: 'approval' });
    this.ctx.logger.info({ csr: name, requestor: csr.spec?.username, decision: type, reason: d.reason }, 'certificate signing request decided');
  }
}
