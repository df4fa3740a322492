import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOf, parseFieldSelector, supportedFields } from './fields.js';
import { SelectorError } from '../errors.js';

const pod = {
  metadata: { name: 'p1', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIP: '10.213.0.5' },
};

test('pod fields and matching', () => {
  const f = fieldsOf('pods', pod);
  assert.equal(f['spec.nodeName'], 'node-1');
  assert.equal(f['status.phase'], 'Running');
  assert.equal(f['status.podIP'], '10.213.0.5');
  assert.equal(f['metadata.namespace'], 'default');
  assert.equal(parseFieldSelector('spec.nodeName=node-1', 'pods').matches(f), true);
  assert.equal(parseFieldSelector('spec.nodeName==node-2', 'pods').matches(f), false);
  assert.equal(parseFieldSelector('status.phase!=Succeeded,status.phase!=Failed', 'pods').matches(f), true);
  assert.equal(parseFieldSelector('spec.nodeName=', 'pods').matches(fieldsOf('pods', { metadata: { name: 'x' } })), true, 'unscheduled pods: nodeName=""');
  assert.equal(parseFieldSelector('metadata.name=p1').matches(f), true);
});

test('unsupported fields are rejected with the Kubernetes message', () => {
  assert.throws(
    () => parseFieldSelector('spec.foo=bar', 'pods'),
    (e: unknown) => e instanceof SelectorError && e.message === 'field label not supported: spec.foo',
  );
  assert.throws(() => parseFieldSelector('spec.nodeName=x', 'services'), SelectorError);
  assert.throws(() => parseFieldSelector('metadata.namespace=x', 'nodes'), SelectorError);
  assert.throws(() => parseFieldSelector('nonsense', 'pods'), SelectorError);
});

test('events, nodes, secrets, namespaces, jobs, replicasets', () => {
  const ev = {
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p1', namespace: 'default', uid: 'u' },
    reason: 'Scheduled',
    type: 'Normal',
    source: { component: 'default-scheduler' },
  };
  const sel = parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=p1,reason=Scheduled,source=default-scheduler,type=Normal', 'events');
  assert.equal(sel.matches(fieldsOf('events', ev)), true);
  assert.equal(fieldsOf('nodes', { metadata: { name: 'n' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
  assert.equal(fieldsOf('nodes', { metadata: { name: 'n' } })['spec.unschedulable'], 'false');
  assert.equal(fieldsOf('secrets', { metadata: { name: 's' }, type: 'kubernetes.io/tls' })['type'], 'kubernetes.io/tls');
  assert.equal(fieldsOf('namespaces', { metadata: { name: 'n' }, status: { phase: 'Terminating' } })['status.phase'], 'Terminating');
  assert.equal(fieldsOf('jobs', { metadata: { name: 'j' }, status: { succeeded: 2 } })['status.successful'], '2');
  assert.equal(fieldsOf('replicasets', { metadata: { name: 'r' }, status: { replicas: 0 } })['status.replicas'], '0');
  assert.ok(supportedFields('pods').includes('spec.serviceAccountName'));
});

test('escaped values and canonical string', () => {
  const s = parseFieldSelector('metadata.name=a\\,b\\=c');
  assert.equal(s.requirements[0]!.value, 'a,b=c');
  assert.equal(s.toString(), 'metadata.name=a\\,b\\=c');
  assert.equal(parseFieldSelector('').empty, true);
});

describe('fieldsOf over stored objects of any shape', () => {
  const WRONG: unknown[] = [null, 'x', 1.5, true, [], [1], [null, 'a', { ip: 5 }], {}, { a: 1 }];
  it('never throws, gives a string for every field, and "" for a value of the wrong type', () => {
    const resources = ['pods', 'events', 'nodes', 'secrets', 'namespaces', 'jobs', 'replicasets', 'services', 'configmaps'];
    const sections = ['metadata', 'spec', 'status', 'involvedObject', 'source', 'type', 'reason'];
    const inner = ['name', 'namespace', 'nodeName', 'podIP', 'podIPs', 'phase', 'hostNetwork', 'succeeded', 'replicas', 'clusterIP', 'component', 'kind'];
    let n = 0;
    for (const resource of resources) {
      for (const top of WRONG) {
        assert.doesNotThrow(() => fieldsOf(resource, top as never));
        for (const s of sections) {
          const objs: unknown[] = [{ [s]: top }, ...inner.map((k) => ({ metadata: { name: 'a' }, [s]: { [k]: top } }))];
          for (const o of objs) {
            const f = fieldsOf(resource, o as never);
            for (const v of Object.values(f)) assert.equal(typeof v, 'string');
            n++;
          }
        }
      }
    }
    assert.ok(n > 500);
    assert.equal(fieldsOf('pods', { metadata: { name: 'p' }, status: { podIPs: 'x' } } as never)['status.podIPs'], '');
    assert.equal(fieldsOf('pods', { metadata: { name: 'p' }, status: { podIPs: [{ ip: 'a' }, null, { ip: 'b' }] } } as never)['status.podIPs'], 'a,,b');
    assert.equal(fieldsOf('pods', { metadata: { name: 'p' }, spec: { nodeName: ['n'] } } as never)['spec.nodeName'], '');
  });
});
