// The lifecycle suite against FakeClient (with the apiserver's graceful pod deletion).
import { GracefulFakeClient } from './agent-harness.js';
import { lifecycleSuite } from './agent-lifecycle-suite.js';

lifecycleSuite(async () => {
  const client = new GracefulFakeClient();
  return { client, stop: async () => client.close() };
});
