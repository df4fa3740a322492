// certificates.k8s.io in the apiserver: the CSR strategy (requester identity, PEM check,
// system:masters restriction) and, with an authorizer, the approve/sign checks on signers.
import type { Registry } from '../registry/types.js';
import { csrStrategy } from './csr-strategy.js';
import { signerAdmission, type Authorize } from './signer-admission.js';

export { csrStrategy, requestPem, CSR_RESOURCE } from './csr-strategy.js';
export { signerAdmission, isAuthorizedForSigner, type Authorize } from './signer-admission.js';

/** Registers the CSR admission; pass the authorizer chain's authorize once there is one. */
export function registerCertificates(registry: Registry, authorize?: Authorize): void {
  registry.registerAdmission(csrStrategy);
  if (authorize) registry.registerAdmission(signerAdmission(authorize));
}
