// proto/k8ts.proto: one loader for both ends, in @k8ts/client (typed by the generated types).
export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadK8tsProto, type K8tsProto } from '@k8ts/client';
