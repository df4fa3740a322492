// Original file: proto/k8ts.proto


export interface WatchRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'label_selector'?: (string);
  'field_selector'?: (string);
  'resource_version'?: (string);
  'allow_bookmarks'?: (boolean);
  'allow_batches'?: (boolean);
}

export interface WatchRequest__Output {
  'resource': (string);
  'namespace': (string);
  'label_selector': (string);
  'field_selector': (string);
  'resource_version': (string);
  'allow_bookmarks': (boolean);
  'allow_batches': (boolean);
}
