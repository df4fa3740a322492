// Original file: proto/k8ts.proto


export interface RenewLeaseRequest {
  'node_name'?: (string);
  'lease_duration_seconds'?: (number);
}

export interface RenewLeaseRequest__Output {
  'node_name': (string);
  'lease_duration_seconds': (number);
}
