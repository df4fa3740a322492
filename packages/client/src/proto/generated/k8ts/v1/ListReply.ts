// Original file: proto/k8ts.proto


export interface ListReply {
  'json'?: (string);
}

export interface ListReply__Output {
  'json': (string);
}
