export * from './types.js';
export * from './ops.js';
export * from './fake-client.js';
export { objectMatcher } from './local-selectors.js';
export { mergePatch, strategicMergePatch, jsonPatch } from './local-patch.js';
export * from './workqueue.js';
