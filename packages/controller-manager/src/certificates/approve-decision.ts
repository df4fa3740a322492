// What csrapproving decides about one CSR. Kubernetes approves a kubelet client CSR when
// its requester may create certificatesigningrequests/nodeclient (bootstrappers, by the
// bootstrap RBAC binding) or, for renewal, certificatesigningrequests/selfnodeclient (the
// node itself); here those two cases are read from the requester's groups and name. Where
// Kubernetes leaves a bad request pending, k8ts denies it with a reason, so a joining agent
// fails fast. A bootstrapper asking for a node that exists and is Ready is denied too
// (NodeAlreadyRegistered): a bootstrap token must not mint the identity of a live node;
// a node that is gone or not Ready may rejoin.
import type { ParsedCsr } from '@k8ts/client';
import { BOOTSTRAPPERS_GROUP, KUBELET_CLIENT_SIGNER, NODE_USER_PREFIX, NODES_GROUP, kubeletClientProblem, type CsrObject } from './csr-rules.js';

export type ApproveDecision =
  | { action: 'approve'; reason: string; message: string }
  | { action: 'deny'; reason: string; message: string }
  | { action: 'none' };

/** `parsed` undefined: the request did not parse; `nodeReady(name)`: whether that Node exists and is Ready. */
export function decideApproval(csr: CsrObject, parsed: ParsedCsr | undefined, nodeReady: (name: string) => boolean): ApproveDecision {
  if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER) return { action: 'none' };
  if (!parsed) return { action: 'deny', reason: 'InvalidRequest', message: 'spec.request is not a valid certificate request' };
  const problem = kubeletClientProblem(parsed, csr.spec.usages ?? []);
  if (problem) return { action: 'deny', reason: 'InvalidKubeletClientCSR', message: problem };
  const username = csr.spec.username ?? '';
  const groups = csr.spec.groups ?? [];
  const nodeName = parsed.commonName.slice(NODE_USER_PREFIX.length);
  if (groups.includes(NODES_GROUP) && username.startsWith(NODE_USER_PREFIX)) {
    if (username === parsed.commonName) return { action: 'approve', reason: 'AutoApproved', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
    return { action: 'deny', reason: 'NodeNameMismatch', message: `node ${JSON.stringify(username)} may not request a certificate for ${JSON.stringify(parsed.commonName)}` };
  }
  if (groups.includes(BOOTSTRAPPERS_GROUP)) {
    if (nodeReady(nodeName)) return { action: 'deny', reason: 'NodeAlreadyRegistered', message: `node ${JSON.stringify(nodeName)} is registered and Ready; a bootstrap token may not request its identity` };
    return { action: 'approve', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' };
  }
  // Anyone else (an administrator, say): left for `kubectl certificate approve|deny`.
  return { action: 'none' };
}
