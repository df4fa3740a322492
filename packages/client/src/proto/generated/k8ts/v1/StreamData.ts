// Original file: proto/k8ts.proto


export interface StreamData {
  'channel'?: (number);
  'data'?: (Buffer | Uint8Array | string);
}

export interface StreamData__Output {
  'channel': (number);
  'data': (Buffer);
}
