// The 400 a body that cannot be decoded gets, as kube-apiserver words it, with every wrong
// field named in details.causes.
import type { StatusCause } from '../types.js';
import { ApiError, failureStatus } from '../errors.js';

export class DecodeError extends ApiError {
  constructor(message: string, causes: StatusCause[]) {
    super(400, 'BadRequest', failureStatus(400, 'BadRequest', message, causes.length ? { causes } : undefined));
    this.name = 'DecodeError';
  }
}

/** `Pod in version "v1" cannot be handled as a Pod: <why>`. */
export function cannotBeHandled(kind: string, version: string, why: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${why}`;
}
