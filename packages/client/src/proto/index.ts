export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadK8tsProto, type K8tsProto } from './load.js';
/** The messages, clients and handlers of proto/k8ts.proto (generated: `pnpm gen:proto`). */
export type * as proto from './generated/index.js';
