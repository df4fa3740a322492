// Original file: proto/k8ts.proto

import type { Long } from '@grpc/proto-loader';

export interface ListRequest {
  'resource'?: (string);
  'namespace'?: (string);
  'label_selector'?: (string);
  'field_selector'?: (string);
  'limit'?: (number | string | Long);
  'continue'?: (string);
  'resource_version'?: (string);
  'resource_version_match'?: (string);
}

export interface ListRequest__Output {
  'resource': (string);
  'namespace': (string);
  'label_selector': (string);
  'field_selector': (string);
  'limit': (string);
  'continue': (string);
  'resource_version': (string);
  'resource_version_match': (string);
}
