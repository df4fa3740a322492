// Original file: proto/k8ts.proto


export interface GetRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'subresource'?: (string);
}

export interface GetRequest__Output {
  'resource': (string);
  'namespace': (string);
  'name': (string);
  'subresource': (string);
}
