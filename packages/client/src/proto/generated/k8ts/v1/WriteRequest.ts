// Original file: proto/k8ts.proto


export interface WriteRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'subresource'?: (string);
  'json'?: (string);
  'dry_run'?: (boolean);
}

export interface WriteRequest__Output {
  'resource': (string);
  'namespace': (string);
  'name': (string);
  'subresource': (string);
  'json': (string);
  'dry_run': (boolean);
}
