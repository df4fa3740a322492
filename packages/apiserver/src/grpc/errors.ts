// ApiError → gRPC status, as the top of proto/k8ts.proto says: the code maps the HTTP
// code and the trailing metadata `k8s-status` carries the metav1.Status JSON.
import * as grpc from '@grpc/grpc-js';
import type { ApiError } from '@k8ts/client';

export function grpcCodeFor(httpCode: number, reason: string): grpc.status {
  switch (httpCode) {
    case 400:
    case 413:
    case 415:
    case 422:
      return grpc.status.INVALID_ARGUMENT;
    case 401:
      return grpc.status.UNAUTHENTICATED;
    case 403:
      return grpc.status.PERMISSION_DENIED;
    case 404:
      return grpc.status.NOT_FOUND;
    case 405:
      return grpc.status.UNIMPLEMENTED;
    case 409:
      return reason === 'AlreadyExists' ? grpc.status.ALREADY_EXISTS : grpc.status.ABORTED;
    case 410:
      return grpc.status.OUT_OF_RANGE;
    case 429:
      return grpc.status.RESOURCE_EXHAUSTED;
    case 503:
      return grpc.status.UNAVAILABLE;
    case 504:
      return grpc.status.DEADLINE_EXCEEDED;
    default:
      return grpc.status.INTERNAL;
  }
}

export function toServiceError(err: ApiError): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  const metadata = new grpc.Metadata();
  metadata.set('k8s-status', JSON.stringify(err.status));
  return { code: grpcCodeFor(err.code, err.reason), details: err.status.message ?? err.message, metadata };
}
