// Original file: proto/k8ts.proto

import type { ObjectReply as _k8ts_v1_ObjectReply, ObjectReply__Output as _k8ts_v1_ObjectReply__Output } from '../../k8ts/v1/ObjectReply.js';
import type { ObjectError as _k8ts_v1_ObjectError, ObjectError__Output as _k8ts_v1_ObjectError__Output } from '../../k8ts/v1/ObjectError.js';
import type { RenewLeaseReply as _k8ts_v1_RenewLeaseReply, RenewLeaseReply__Output as _k8ts_v1_RenewLeaseReply__Output } from '../../k8ts/v1/RenewLeaseReply.js';

export interface ObjectResponse {
  'id'?: (number);
  'reply'?: (_k8ts_v1_ObjectReply | null);
  'error'?: (_k8ts_v1_ObjectError | null);
  'renewed'?: (_k8ts_v1_RenewLeaseReply | null);
  'result'?: "reply"|"error"|"renewed";
}

export interface ObjectResponse__Output {
  'id': (number);
  'reply'?: (_k8ts_v1_ObjectReply__Output | null);
  'error'?: (_k8ts_v1_ObjectError__Output | null);
  'renewed'?: (_k8ts_v1_RenewLeaseReply__Output | null);
  'result'?: "reply"|"error"|"renewed";
}
