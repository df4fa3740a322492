// componentClient: the caller's client as given, else a GrpcClient from the options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentClient } from './component-options.js';
import { FakeClient } from './fake-client.js';
import { GrpcClient } from './grpc-client.js';

test('componentClient uses the given client, else makes a GrpcClient for --server', () => {
  const given = new FakeClient();
  assert.equal(componentClient({ client: given, server: '127.0.0.1:1' }), given);
  const made = componentClient({ server: '127.0.0.1:1', token: 't' });
  try {
    assert.ok(made instanceof GrpcClient);
    assert.equal(made.server, '127.0.0.1:1');
  } finally {
    made.close();
  }
});
