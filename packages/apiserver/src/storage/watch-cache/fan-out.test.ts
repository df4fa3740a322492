import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FanOut, whenDelivered, type Subscriber } from './fan-out.js';

function subscribers(n: number, onDeliver?: (i: number, ev: string) => void): (Subscriber<string> & { got: string[] })[] {
  return Array.from({ length: n }, (_, i) => {
    const got: string[] = [];
    return { got, deliver: (ev: string) => (got.push(ev), onDeliver?.(i, ev)) };
  });
}

const turn = () => new Promise((r) => setImmediate(r));

describe('FanOut', () => {
  it('delivers the first slice at once and the rest on later turns, letting other work run between slices', async () => {
    const f = new FanOut<string>({ maxDeliveries: 100, maxMs: Infinity });
    const subs = subscribers(250);
    const order: string[] = [];
    f.push('e1', subs);
    assert.equal(subs.filter((s) => s.got.length).length, 100, 'one slice synchronously');
    assert.equal(f.pending, 150);
    setImmediate(() => order.push(`other work saw ${subs.filter((s) => s.got.length).length} delivered`));
    await turn();
    await turn();
    await turn();
    assert.ok(subs.every((s) => s.got.join() === 'e1'));
    assert.equal(f.pending, 0);
    assert.equal(order[0], 'other work saw 200 delivered', 'a request queued meanwhile runs between slices');
  });

  it('cuts slices by time', async () => {
    const f = new FanOut<string>({ maxMs: 5 });
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const subs = subscribers(64, () => busy(1));
    f.push('e1', subs);
    const first = subs.filter((s) => s.got.length).length;
    assert.ok(first >= 16 && first < 64, `a first slice of about 5 ms, checked every 16 deliveries (got ${first})`);
    while (f.pending) await turn();
    assert.ok(subs.every((s) => s.got.join() === 'e1'));
    const roomy = new FanOut<string>({ maxMs: 1000 });
    roomy.push('e2', subscribers(1000));
    assert.equal(roomy.pending, 0, 'deliveries within the budget go in one slice');
  });

  it('keeps each subscriber in event order across slices, and a later subscriber gets only later events', async () => {
    const f = new FanOut<string>({ maxDeliveries: 7 });
    const subs = subscribers(20);
    f.push('e1', subs);
    f.push('e2', subs);
    const late = subscribers(1);
    f.push('e3', [...subs, ...late]);
    while (f.pending) await turn();
    for (const s of subs) assert.deepEqual(s.got, ['e1', 'e2', 'e3']);
    assert.deepEqual(late[0].got, ['e3']);
  });

  it('an event pushed from inside a delivery waits its turn behind the one being delivered', async () => {
    const f = new FanOut<string>({ maxDeliveries: 4 });
    let pushed = false;
    const subs = subscribers(10, (i, ev) => {
      if (i === 1 && ev === 'e1' && !pushed) {
        pushed = true;
        f.push('e2', subs);
      }
    });
    f.push('e1', subs);
    while (f.pending) await turn();
    for (const s of subs) assert.deepEqual(s.got, ['e1', 'e2']);
  });

  it('hands a subscriber all the events of one push in one go, and runs what it deferred right after, inside the slice', async () => {
    const f = new FanOut<string>({ maxDeliveries: 2 });
    const writes: string[][] = [];
    const subs = Array.from({ length: 5 }, (_, i) => {
      let pending: string[] = [];
      return {
        deliver: (ev: string) => {
          if (!pending.length) whenDelivered(() => (writes.push([`s${i}`, ...pending]), (pending = [])));
          pending.push(ev);
        },
      };
    });
    f.pushAll(['e1', 'e2'], subs);
    assert.deepEqual(writes, [['s0', 'e1', 'e2'], ['s1', 'e1', 'e2']], 'the first slice wrote, before any microtask ran');
    assert.equal(f.pending, 6);
    while (f.pending) await turn();
    assert.equal(writes.length, 5);
    let later = false;
    whenDelivered(() => (later = true));
    assert.equal(later, false, 'outside a hand-out: a microtask');
    await Promise.resolve();
    assert.equal(later, true);
  });
});
