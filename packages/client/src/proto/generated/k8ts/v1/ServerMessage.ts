// Original file: proto/k8ts.proto

import type { StreamOpen as _k8ts_v1_StreamOpen, StreamOpen__Output as _k8ts_v1_StreamOpen__Output } from '../../k8ts/v1/StreamOpen.js';
import type { StreamData as _k8ts_v1_StreamData, StreamData__Output as _k8ts_v1_StreamData__Output } from '../../k8ts/v1/StreamData.js';
import type { StreamClose as _k8ts_v1_StreamClose, StreamClose__Output as _k8ts_v1_StreamClose__Output } from '../../k8ts/v1/StreamClose.js';

export interface ServerMessage {
  'stream_id'?: (string);
  'open'?: (_k8ts_v1_StreamOpen | null);
  'data'?: (_k8ts_v1_StreamData | null);
  'close'?: (_k8ts_v1_StreamClose | null);
  'msg'?: "open"|"data"|"close";
}

export interface ServerMessage__Output {
  'stream_id': (string);
  'open'?: (_k8ts_v1_StreamOpen__Output | null);
  'data'?: (_k8ts_v1_StreamData__Output | null);
  'close'?: (_k8ts_v1_StreamClose__Output | null);
  'msg'?: "open"|"data"|"close";
}
