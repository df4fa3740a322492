// The rules the CSR controllers share (pkg/apis/certificates/helpers.go,
// IsKubeletClientCSR / ValidateKubeletClientCSR): what a kubelet client certificate request
// looks like, and reading a CSR object's conditions and PEM.
import type { KubeObject } from '@k8ts/api';
import { parseCsr, type ParsedCsr } from '@k8ts/client';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';

const KUBELET_REQUIRED_USAGES = ['digital signature', 'client auth'];
const KUBELET_ALLOWED_USAGES = new Set([...KUBELET_REQUIRED_USAGES, 'key encipherment']);
const CLIENT_ALLOWED_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

export interface CsrObject extends KubeObject {
  spec: { request?: string; signerName?: string; usages?: string[]; username?: string; groups?: string[]; expirationSeconds?: number };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; certificate?: string };
}

export function hasCondition(csr: CsrObject, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status !== 'False');
}

/** The CSR's PEM, parsed and its signature checked; throws when it is not a valid CSR. */
export function parsedRequest(csr: CsrObject): ParsedCsr {
  return parseCsr(Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8'));
}

/** Why a request is not a valid kubelet client certificate request, or null when it is. */
export function kubeletClientProblem(x: ParsedCsr, usages: readonly string[]): string | null {
  if (x.organizations.length !== 1 || x.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}: ${JSON.stringify(x.organizations)}`;
  if (x.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (x.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (x.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (x.uris.length) return 'URI subjectAltNames are not allowed';
  if (!x.commonName.startsWith(NODE_USER_PREFIX) || x.commonName.length === NODE_USER_PREFIX.length) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  for (const u of KUBELET_REQUIRED_USAGES) if (!usages.includes(u)) return `usages did not contain ${JSON.stringify(u)}`;
  const extra = usages.filter((u) => !KUBELET_ALLOWED_USAGES.has(u));
  if (extra.length) return `usages not allowed: ${JSON.stringify(extra)}`;
  return null;
}

/** Why a kubernetes.io/kube-apiserver-client request cannot be signed, or null. */
export function apiserverClientProblem(x: ParsedCsr, usages: readonly string[]): string | null {
  if (x.organizations.includes('system:masters')) return 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed';
  if (!usages.includes('client auth')) return 'usages did not contain "client auth"';
  const extra = usages.filter((u) => !CLIENT_ALLOWED_USAGES.has(u));
  if (extra.length) return `usages not allowed: ${JSON.stringify(extra)}`;
  return null;
}
