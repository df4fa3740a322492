import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { grpcCodeFor, toServiceError } from './errors.js';
import { conflict, alreadyExists, notFound, expired } from '../registry/errors.js';

describe('gRPC error mapping', () => {
  it('maps HTTP codes as proto/k8ts.proto says and carries the Status in k8s-status', () => {
    assert.equal(grpcCodeFor(404, 'NotFound'), grpc.status.NOT_FOUND);
    assert.equal(grpcCodeFor(409, 'Conflict'), grpc.status.ABORTED);
    assert.equal(grpcCodeFor(409, 'AlreadyExists'), grpc.status.ALREADY_EXISTS);
    assert.equal(grpcCodeFor(422, 'Invalid'), grpc.status.INVALID_ARGUMENT);
    assert.equal(grpcCodeFor(410, 'Expired'), grpc.status.OUT_OF_RANGE);
    assert.equal(grpcCodeFor(401, 'Unauthorized'), grpc.status.UNAUTHENTICATED);
    assert.equal(grpcCodeFor(403, 'Forbidden'), grpc.status.PERMISSION_DENIED);
    assert.equal(grpcCodeFor(503, 'ServiceUnavailable'), grpc.status.UNAVAILABLE);
    const e = toServiceError(conflict('deployments', 'web'));
    assert.equal(e.code, grpc.status.ABORTED);
    const status = JSON.parse(String(e.metadata!.get('k8s-status')[0]));
    assert.equal(status.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(status.details, { name: 'web', group: 'apps', kind: 'deployments' });
    assert.equal(toServiceError(alreadyExists('pods', 'a')).code, grpc.status.ALREADY_EXISTS);
    assert.equal(toServiceError(notFound('pods', 'a')).details, 'pods "a" not found');
    assert.equal(toServiceError(expired('too old resource version: 1 (5)')).code, grpc.status.OUT_OF_RANGE);
  });
});
