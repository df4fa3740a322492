// What handlers deep in a request learn that its audit event wants, without threading the
// audit through them: the object a create or update sent (audit.LogRequestObject fills the
// objectRef's name, uid and resourceVersion from it) and the metav1.Status a response carried
// (audit.LogResponseObject copies it into responseStatus). Keyed by an object the request
// owns (the REST response, the gRPC request message), so they go with it.
import type { Status } from '@k8ts/api';

export interface RequestObjectMeta {
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

const requestObjects = new WeakMap<object, RequestObjectMeta>();
const responseStatuses = new WeakMap<object, Status>();

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Takes the fields as sent (the registry fills in a created object's uid, name and version afterwards). */
export function noteRequestObject(carrier: object, obj: unknown): void {
  const m = (obj as { metadata?: Record<string, unknown> } | null)?.metadata;
  if (!m || typeof m !== 'object') return;
  requestObjects.set(carrier, { namespace: str(m.namespace), name: str(m.name), uid: str(m.uid), resourceVersion: str(m.resourceVersion) });
}

export function requestObjectOf(carrier: object): RequestObjectMeta | undefined {
  return requestObjects.get(carrier);
}

export function noteResponseStatus(carrier: object, status: Status): void {
  responseStatuses.set(carrier, status);
}

export function responseStatusOf(carrier: object): Status | undefined {
  return responseStatuses.get(carrier);
}
