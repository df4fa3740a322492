// @k8ts/client/testing: the in-memory Client for unit tests of controllers, the scheduler and
// the agent. Kept off the main entry so no component's runtime loads it.
export * from './fake-client.js';
export { createTestCa, type TestCa } from './pki/test-ca.js';
