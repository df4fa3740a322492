// Original file: proto/k8ts.proto


export interface ObjectReply {
  'json'?: (string);
}

export interface ObjectReply__Output {
  'json': (string);
}
