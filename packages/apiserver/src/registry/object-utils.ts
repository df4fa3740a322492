// The registry's names for @k8ts/api's copy and equality of JSON objects. A stored object came
// from JSON and goes back to JSON, so deepCopy (structuredClone) and the JSON round-trip it
// replaced agree: undefined members are kept by one and dropped by the other, but
// jsonEqual ignores them and JSON.stringify drops them before anything reaches etcd.
export { deepCopy as clone, jsonEqual as deepEqual } from '@k8ts/api';
