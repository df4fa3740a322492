// Original file: proto/k8ts.proto


export interface AgentHello {
  'node_name'?: (string);
}

export interface AgentHello__Output {
  'node_name': (string);
}
