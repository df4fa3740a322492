// Original file: proto/k8ts.proto


export interface StreamOpen {
  'kind'?: (string);
  'namespace'?: (string);
  'pod'?: (string);
  'pod_uid'?: (string);
  'params_json'?: (string);
}

export interface StreamOpen__Output {
  'kind': (string);
  'namespace': (string);
  'pod': (string);
  'pod_uid': (string);
  'params_json': (string);
}
