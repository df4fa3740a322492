export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadK8tsProto } from './proto.js';
export { startGrpcServer, GRPC_SERVER_OPTIONS, type StartedGrpcServer } from './server.js';
export { grpcCodeFor, toServiceError } from './errors.js';
export type { AgentStreamHandler, GrpcContext } from './context.js';
export { renewNodeLease } from './nodes-service.js';
