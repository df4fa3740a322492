import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdCallGate, isLeaseKey } from './etcd-call-gate.js';

/** A call that stays open until released, counting how many run at once. */
function calls() {
  let running = 0;
  let most = 0;
  const open: (() => void)[] = [];
  const started: string[] = [];
  const call = (name: string, fail = false) => () =>
    new Promise<string>((resolve, reject) => {
      running++;
      most = Math.max(most, running);
      started.push(name);
      open.push(() => {
        running--;
        if (fail) reject(new Error(name));
        else resolve(name);
      });
    });
  return { call, open, started, most: () => most };
}

const key = (k: string) => Buffer.from(k);
const turn = () => new Promise((r) => setImmediate(r));

describe('EtcdCallGate', () => {
  it('holds calls past its limit and starts them in order as places free', async () => {
    const gate = new EtcdCallGate(2);
    const c = calls();
    const results = ['a', 'b', 'c', 'd'].map((n) => gate.run(key(`/registry/configmaps/ns/${n}`), c.call(n)));
    await turn();
    assert.deepEqual(c.started, ['a', 'b']);
    assert.equal(gate.queued, 2);
    c.open.shift()!();
    await turn();
    assert.deepEqual(c.started, ['a', 'b', 'c']);
    while (c.open.length) {
      c.open.shift()!();
      await turn();
    }
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
    assert.equal(c.most(), 2);
    assert.equal(gate.queued, 0);
  });

  it('lets Lease calls past a full gate', async () => {
    const gate = new EtcdCallGate(1);
    const c = calls();
    const held = [gate.run(key('/registry/pods/ns/a'), c.call('pod-a')), gate.run(key('/registry/pods/ns/b'), c.call('pod-b'))];
    const lease = gate.run(key('/registry/leases/kube-node-lease/node-1'), c.call('lease'));
    await turn();
    assert.deepEqual(c.started, ['pod-a', 'lease']);
    c.open.pop()!();
    assert.equal(await lease, 'lease');
    while (c.open.length) {
      c.open.shift()!();
      await turn();
    }
    assert.deepEqual(await Promise.all(held), ['pod-a', 'pod-b']);
  });

  it('frees the place of a call that failed', async () => {
    const gate = new EtcdCallGate(1);
    const c = calls();
    const failing = gate.run(key('/registry/x/a'), c.call('a', true));
    const next = gate.run(key('/registry/x/b'), c.call('b'));
    await turn();
    c.open.shift()!();
    await assert.rejects(failing, /a/);
    await turn();
    c.open.shift()!();
    assert.equal(await next, 'b');
    assert.equal(gate.queued, 0);
  });

  it('knows a Lease key only under /registry/leases/', () => {
    assert.equal(isLeaseKey(key('/registry/leases/kube-system/k8ts-scheduler')), true);
    assert.equal(isLeaseKey(key('/registry/leases/')), false);
    assert.equal(isLeaseKey(key('/registry/leasesx/a')), false);
    assert.equal(isLeaseKey(key('/registry/configmaps/kube-system/leases')), false);
    assert.equal(isLeaseKey(undefined), false);
  });
});
