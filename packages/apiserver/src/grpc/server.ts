// The gRPC face of the apiserver.
import * as grpc from '@grpc/grpc-js';
import { loadK8tsProto } from './proto.js';
import { objectsService } from './objects-service.js';
import { nodesService } from './nodes-service.js';
import type { GrpcContext } from './context.js';

export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.keepalive_time_ms': 2000,
  'grpc.keepalive_timeout_ms': 2000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 1000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

/**
 * The Watch method's serializer passes Buffers through: a watch event is encoded once
 * (objects-service.ts) and the same bytes go to every watcher that gets it.
 */
function withPreEncodedWatch(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const watch = def.Watch;
  const encode = watch.responseSerialize;
  return { ...def, Watch: { ...watch, responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : encode(v)) } };
}

export interface StartedGrpcServer {
  server: grpc.Server;
  port: number;
  stop(): Promise<void>;
}

export async function startGrpcServer(ctx: GrpcContext, host: string, port: number): Promise<StartedGrpcServer> {
  const proto = loadK8tsProto();
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  server.addService(withPreEncodedWatch(proto.Objects.service), objectsService(ctx));
  server.addService(proto.Nodes.service, nodesService(ctx));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    server,
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
