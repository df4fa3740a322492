import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiError, type Pod } from '@k8ts/api';
import { FakeClient } from '@k8ts/client/testing';
import { ctxFor, pod, replicaSet } from '../testing/fixtures.js';
import { Expectations } from './expectations.js';
import { deletePods } from './pod-deletion.js';

test('deletePods: deletes, records events, and lowers the expectation of each deletion that failed', async () => {
  const client = new FakeClient();
  const { ctx, recorder } = ctxFor(client);
  const rs = replicaSet('web', 3);
  const fresh = (name: string): Pod => {
    const p = pod(name, { app: 'web' }, { owner: rs });
    delete p.metadata.resourceVersion;
    return p;
  };
  const pods: Pod[] = [];
  for (const n of ['a', 'b']) pods.push(await client.create<Pod>('pods', fresh(n)));
  const gone = fresh('gone');
  const refused = await client.create<Pod>('pods', fresh('refused'));
  client.prependReactor('delete', 'pods', (a) => {
    if (a.name === 'refused') throw apiError(500, 'InternalError', 'Internal error occurred: etcd is sad');
    return undefined;
  });
  const exp = new Expectations();
  const errors = await deletePods(ctx, rs, exp, 'default/web', [...pods, gone, refused]);

  assert.equal(errors.length, 1, 'a 404 counts as deleted; the 500 is returned');
  // a and b stay expected until the informer sees them go; gone and refused never will.
  assert.deepEqual(exp.pending('default/web'), { adds: 0, dels: 2 });
  const remaining = (await client.list<Pod>('pods')).items.map((p) => p.metadata.name);
  assert.deepEqual(remaining, ['refused']);
  assert.deepEqual(
    recorder.events.map((e) => `${e.type} ${e.reason} ${e.message}`).sort(),
    ['Normal SuccessfulDelete Deleted pod: a', 'Normal SuccessfulDelete Deleted pod: b', 'Warning FailedDelete Error deleting: Internal error occurred: etcd is sad'],
  );
  assert.deepEqual(await deletePods(ctx, rs, exp, 'default/web', []), []);
});
