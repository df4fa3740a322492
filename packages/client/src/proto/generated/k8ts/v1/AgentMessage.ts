// Original file: proto/k8ts.proto

import type { AgentHello as _k8ts_v1_AgentHello, AgentHello__Output as _k8ts_v1_AgentHello__Output } from '../../k8ts/v1/AgentHello.js';
import type { StreamData as _k8ts_v1_StreamData, StreamData__Output as _k8ts_v1_StreamData__Output } from '../../k8ts/v1/StreamData.js';
import type { StreamClose as _k8ts_v1_StreamClose, StreamClose__Output as _k8ts_v1_StreamClose__Output } from '../../k8ts/v1/StreamClose.js';

export interface AgentMessage {
  'stream_id'?: (string);
  'hello'?: (_k8ts_v1_AgentHello | null);
  'data'?: (_k8ts_v1_StreamData | null);
  'close'?: (_k8ts_v1_StreamClose | null);
  'msg'?: "hello"|"data"|"close";
}

export interface AgentMessage__Output {
  'stream_id': (string);
  'hello'?: (_k8ts_v1_AgentHello__Output | null);
  'data'?: (_k8ts_v1_StreamData__Output | null);
  'close'?: (_k8ts_v1_StreamClose__Output | null);
  'msg'?: "hello"|"data"|"close";
}
