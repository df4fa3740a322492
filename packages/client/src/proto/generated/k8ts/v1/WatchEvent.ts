// Original file: proto/k8ts.proto

import type { WatchEvent as _k8ts_v1_WatchEvent, WatchEvent__Output as _k8ts_v1_WatchEvent__Output } from '../../k8ts/v1/WatchEvent.js';

export interface WatchEvent {
  'type'?: (string);
  'json'?: (string);
  'batch'?: (_k8ts_v1_WatchEvent)[];
}

export interface WatchEvent__Output {
  'type': (string);
  'json': (string);
  'batch': (_k8ts_v1_WatchEvent__Output)[];
}
