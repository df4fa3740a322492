// Loads proto/k8ts.proto, resolved from this file's place in the repository.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_PATH = fileURLToPath(new URL('../../../../proto/k8ts.proto', import.meta.url));

export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, defaults: true, oneofs: true };

export interface K8tsProto {
  Objects: grpc.ServiceClientConstructor;
  Nodes: grpc.ServiceClientConstructor;
}

export function loadK8tsProto(): K8tsProto {
  const def = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as any;
  return pkg.k8ts.v1 as K8tsProto;
}
