// Admission, as kube-apiserver runs it after authorization and before storage: mutating
// plugins may change the object (ServiceAccount sets the pod's token volume), then the
// object is validated, then validating plugins may refuse it (NodeRestriction, the RBAC
// escalation check). A refusal is an ApiError (403 Forbidden, 422 Invalid) and writes nothing.
import type { KubeObject } from '@k8ts/api';
import type { RequestUser } from './types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  resource: string;
  /** "" for the main resource; "status", "binding", "eviction", "token", … */
  subresource: string;
  namespace: string;
  name: string;
  /** The object to be stored (CREATE, UPDATE); mutating plugins change it in place. */
  object?: KubeObject;
  /** What is stored now (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** Undefined for the apiserver's own writes, which admission lets through. */
  user?: RequestUser;
  dryRun: boolean;
  /** Where a plugin appends warnings for the client (sent as Warning headers); absent on faces without them. */
  warnings?: string[];
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating phase: runs before validation. */
  admit?(req: AdmissionRequest): void | Promise<void>;
  /** Validating phase: runs after validation; throws to refuse. */
  validate?(req: AdmissionRequest): void | Promise<void>;
}

export class AdmissionChain {
  private readonly plugins: AdmissionPlugin[] = [];

  register(plugin: AdmissionPlugin): void {
    this.plugins.push(plugin);
  }

  get empty(): boolean {
    return this.plugins.length === 0;
  }

  async admit(req: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(req);
  }

  async validate(req: AdmissionRequest): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(req);
  }
}
