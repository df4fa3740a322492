// Original file: proto/k8ts.proto


export interface DeleteRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'options_json'?: (string);
}

export interface DeleteRequest__Output {
  'resource': (string);
  'namespace': (string);
  'name': (string);
  'options_json': (string);
}
