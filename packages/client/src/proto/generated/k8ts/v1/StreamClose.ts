// Original file: proto/k8ts.proto


export interface StreamClose {
  'status_json'?: (string);
}

export interface StreamClose__Output {
  'status_json': (string);
}
