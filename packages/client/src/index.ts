export * from './types.js';
export * from './ops.js';
export * from './fake-client.js';
export { objectMatcher } from './selectors.js';
export * from './workqueue.js';
export * from './informer.js';
export * from './grpc-client.js';
export * from './leader-election.js';
export * from './events.js';
