// What kube-apiserver's CSR strategy and admission do to a new CertificateSigningRequest:
// spec.username/uid/groups/extra come from the authenticated requester, never from the body
// (the approver trusts them); the status starts empty; spec.request must be a PEM CSR whose
// signature holds; and kubernetes.io/kube-apiserver-client may not mint system:masters
// (certificatesubjectrestriction).
import { parseCsr } from '@k8ts/client';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import * as errs from '../registry/errors.js';

export const CSR_RESOURCE = 'certificatesigningrequests';
const KIND = 'CertificateSigningRequest';
const GROUP = 'certificates.k8s.io';

export const csrStrategy: AdmissionPlugin = {
  name: 'CertificateSigningRequestStrategy',
  admit(req: AdmissionRequest): void {
    if (req.resource !== CSR_RESOURCE || req.operation !== 'CREATE' || !req.object) return;
    const obj = req.object as any;
    const spec = obj.spec && typeof obj.spec === 'object' && !Array.isArray(obj.spec) ? obj.spec : (obj.spec = {});
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    const u = req.user;
    if (u) {
      spec.username = u.name;
      if (u.uid) spec.uid = u.uid;
      if (u.groups.length) spec.groups = [...u.groups];
      if (u.extra && Object.keys(u.extra).length) spec.extra = structuredClone(u.extra);
    }
    delete obj.status;
  },
  validate(req: AdmissionRequest): void {
    if (req.resource !== CSR_RESOURCE || req.operation !== 'CREATE' || !req.object) return;
    const spec = (req.object as any).spec;
    const pem = requestPem(spec?.request);
    let subject;
    try {
      subject = parseCsr(pem);
    } catch (err) {
      throw errs.invalid(KIND, req.name, [{ field: 'spec.request', message: `Invalid value: "<PEM>": ${(err as Error).message}` }], GROUP);
    }
    if (spec.signerName === 'kubernetes.io/kube-apiserver-client' && subject.organizations.includes('system:masters')) {
      throw errs.forbidden(CSR_RESOURCE, req.name, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
    }
  },
};

/** spec.request as JSON carries it (base64 of the PEM bytes); "" when it is not a string. */
export function requestPem(request: unknown): string {
  return typeof request === 'string' ? Buffer.from(request, 'base64').toString('utf8') : '';
}
