// proto/k8ts.proto, loaded once per process and typed by the types generated from it
// (./generated, `pnpm gen:proto`). Both ends load it from here: the apiserver's handlers and
// this package's client stubs.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/k8ts.js';

export const PROTO_PATH = fileURLToPath(new URL('../../../../proto/k8ts.proto', import.meta.url));

/** Must match the flags of scripts/gen-proto.mjs, or the generated types lie about the messages. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, defaults: true, oneofs: true };

/** The services and messages of package k8ts.v1. */
export type K8tsProto = ProtoGrpcType['k8ts']['v1'];

let loaded: K8tsProto | undefined;

export function loadK8tsProto(): K8tsProto {
  if (!loaded) {
    const def = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
    // loadPackageDefinition's result is untyped; the generated ProtoGrpcType describes it.
    loaded = (grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType).k8ts.v1;
  }
  return loaded;
}
