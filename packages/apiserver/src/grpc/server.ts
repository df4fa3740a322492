// The gRPC face of the apiserver.
import * as grpc from '@grpc/grpc-js';
import { GRPC_SHARED_OPTIONS, type proto } from '@k8ts/client';
import { loadK8tsProto } from './proto.js';
import { objectsService } from './objects-service.js';
import { nodesService } from './nodes-service.js';
import { ExchangeStreams } from './exchange.js';
import type { GrpcContext } from './context.js';
import { grpcServerCredentials, type GrpcTls } from './tls.js';

export type { GrpcTls } from './tls.js';

export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  ...GRPC_SHARED_OPTIONS,
  // lets the clients' 2 s keepalive pings through (the default minimum is 5 minutes)
  'grpc.http2.min_ping_interval_without_data_ms': 1000,
  // channelz bookkeeping costs CPU on every call and nothing here reads it.
  'grpc.enable_channelz': 0,
};

/**
 * The Watch method's serializer passes Buffers through: a watch event is encoded once
 * (objects-service.ts) and the same bytes go to every watcher that gets it.
 */
function withPreEncodedWatch(def: proto.ObjectsDefinition): proto.ObjectsDefinition {
  const watch = def.Watch;
  const encode = watch.responseSerialize;
  return { ...def, Watch: { ...watch, responseSerialize: (v: proto.WatchEvent | Buffer) => (Buffer.isBuffer(v) ? v : encode(v)) } };
}

/**
 * grpc-js leaves Nagle's algorithm on for accepted sockets (its client turns it off), so a
 * small watch event can sit in the kernel until the peer's delayed ACK: tens of ms. Its
 * http2 servers are private; reach them defensively.
 */
function disableNagle(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: Map<import('node:net').Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const srv of servers.keys()) srv.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
}

export interface StartedGrpcServer {
  server: grpc.Server;
  port: number;
  stop(): Promise<void>;
}

/** Serves TLS when given `tls` (client certificates verified against its clientCa), plaintext otherwise. */
export async function startGrpcServer(ctx: GrpcContext, host: string, port: number, tls?: GrpcTls): Promise<StartedGrpcServer> {
  const proto = loadK8tsProto();
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  const exchanges = new ExchangeStreams(ctx);
  server.addService(withPreEncodedWatch(proto.Objects.service), objectsService(ctx, exchanges));
  server.addService(proto.Nodes.service, nodesService(ctx));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpcServerCredentials(tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  disableNagle(server);
  return {
    server,
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // Watches never finish on their own: give unary calls a moment, then cut the rest
        // (clients reconnect and re-watch from their last resourceVersion).
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 500);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
        // Exchange streams answer what they read, then end; their clients open new ones.
        void exchanges.drain();
      }),
  };
}
