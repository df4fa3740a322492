// Errors the api helpers throw. The apiserver maps them to metav1.Status: a SelectorError is
// a 400 BadRequest, a PatchError carries the HTTP code Kubernetes answers with.

export class SelectorError extends Error {
  readonly code = 400;
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

export class PatchError extends Error {
  /** 400 when the patch itself cannot be read, 422 when it cannot be applied to the object. */
  readonly code: 400 | 422;
  constructor(message: string, code: 400 | 422 = 400) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}
