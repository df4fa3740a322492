// kubectl get csr: printCertificateSigningRequest's columns and its condition summary.
import { type Printer, ageColumn, col, nameColumn } from './types.js';
import { humanDuration, since } from './age.js';

/** extractCSRStatus: Denied over Approved over Pending, then ",Failed" and ",Issued". */
export function csrCondition(csr: any): string {
  const types = new Set(((csr.status?.conditions ?? []) as any[]).filter((c) => c && c.status !== 'False').map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (csr.status?.certificate) s += ',Issued';
  return s;
}

export const csrPrinter: Printer = {
  columns: [
    nameColumn(),
    ageColumn(),
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'Name of the user that created the request'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'Conditions applied to the request'),
  ],
  row: (csr: any, now: number) => [
    csr.metadata?.name ?? '',
    since(csr.metadata?.creationTimestamp, now),
    csr.spec?.signerName || '<none>',
    csr.spec?.username ?? '',
    typeof csr.spec?.expirationSeconds === 'number' ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrCondition(csr),
  ],
};
