// Original file: proto/k8ts.proto


export interface PatchRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'subresource'?: (string);
  'patch_type'?: (string);
  'patch'?: (string);
  'field_manager'?: (string);
  'force'?: (boolean);
}

export interface PatchRequest__Output {
  'resource': (string);
  'namespace': (string);
  'name': (string);
  'subresource': (string);
  'patch_type': (string);
  'patch': (string);
  'field_manager': (string);
  'force': (boolean);
}
