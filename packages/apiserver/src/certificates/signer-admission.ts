// Kubernetes' certificates/approval and certificates/signing admission plugins: approving
// or denying a CSR (/approval) needs the `approve` verb on signers/<signerName>, writing
// status.certificate needs `sign`, both in group certificates.k8s.io, the resource name
// being the signer or `<domain>/*`. Asked of the authorizer chain when one is given.
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import type { UserInfo } from '../auth/types.js';
import * as errs from '../registry/errors.js';
import { CSR_RESOURCE } from './csr-strategy.js';

export type Authorize = (a: Attributes) => AuthorizationResult;

export function isAuthorizedForSigner(authorize: Authorize, user: UserInfo, verb: string, signerName: string): boolean {
  const ask = (name: string) =>
    authorize({ user, verb, resourceRequest: true, path: '', apiGroup: 'certificates.k8s.io', apiVersion: '*', resource: 'signers', subresource: '', namespace: '', name }).decision === 'Allow';
  if (ask(signerName)) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && ask(`${signerName.slice(0, slash)}/*`);
}

export function signerAdmission(authorize: Authorize): AdmissionPlugin {
  return {
    name: 'CertificateApprovalAndSigning',
    validate(req: AdmissionRequest): void {
      if (req.resource !== CSR_RESOURCE || req.operation !== 'UPDATE' || !req.user || !req.object) return;
      const signer = String((req.oldObject as any)?.spec?.signerName ?? '');
      if (req.subresource === 'approval' && !isAuthorizedForSigner(authorize, req.user, 'approve', signer)) {
        throw errs.forbidden(CSR_RESOURCE, req.name, `user not permitted to approve requests with signerName ${JSON.stringify(signer)}`);
      }
      const certChanged = (req.object as any).status?.certificate !== (req.oldObject as any)?.status?.certificate;
      if (req.subresource === 'status' && certChanged && !isAuthorizedForSigner(authorize, req.user, 'sign', signer)) {
        throw errs.forbidden(CSR_RESOURCE, req.name, `user not permitted to sign requests with signerName ${JSON.stringify(signer)}`);
      }
    },
  };
}
