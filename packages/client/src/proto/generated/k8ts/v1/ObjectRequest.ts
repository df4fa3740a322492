// Original file: proto/k8ts.proto

import type { GetRequest as _k8ts_v1_GetRequest, GetRequest__Output as _k8ts_v1_GetRequest__Output } from '../../k8ts/v1/GetRequest.js';
import type { WriteRequest as _k8ts_v1_WriteRequest, WriteRequest__Output as _k8ts_v1_WriteRequest__Output } from '../../k8ts/v1/WriteRequest.js';
import type { PatchRequest as _k8ts_v1_PatchRequest, PatchRequest__Output as _k8ts_v1_PatchRequest__Output } from '../../k8ts/v1/PatchRequest.js';
import type { DeleteRequest as _k8ts_v1_DeleteRequest, DeleteRequest__Output as _k8ts_v1_DeleteRequest__Output } from '../../k8ts/v1/DeleteRequest.js';
import type { RenewLeaseRequest as _k8ts_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _k8ts_v1_RenewLeaseRequest__Output } from '../../k8ts/v1/RenewLeaseRequest.js';

export interface ObjectRequest {
  'id'?: (number);
  'get'?: (_k8ts_v1_GetRequest | null);
  'create'?: (_k8ts_v1_WriteRequest | null);
  'update'?: (_k8ts_v1_WriteRequest | null);
  'patch'?: (_k8ts_v1_PatchRequest | null);
  'delete'?: (_k8ts_v1_DeleteRequest | null);
  'renew_lease'?: (_k8ts_v1_RenewLeaseRequest | null);
  'op'?: "get"|"create"|"update"|"patch"|"delete"|"renew_lease";
}

export interface ObjectRequest__Output {
  'id': (number);
  'get'?: (_k8ts_v1_GetRequest__Output | null);
  'create'?: (_k8ts_v1_WriteRequest__Output | null);
  'update'?: (_k8ts_v1_WriteRequest__Output | null);
  'patch'?: (_k8ts_v1_PatchRequest__Output | null);
  'delete'?: (_k8ts_v1_DeleteRequest__Output | null);
  'renew_lease'?: (_k8ts_v1_RenewLeaseRequest__Output | null);
  'op'?: "get"|"create"|"update"|"patch"|"delete"|"renew_lease";
}
