// Original file: proto/k8ts.proto


export interface RenewLeaseReply {
  'renew_time'?: (string);
}

export interface RenewLeaseReply__Output {
  'renew_time': (string);
}
