import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './async-resource-bind.js';

describe('lean AsyncResource#bind', () => {
  installLeanAsyncResourceBind();
  installLeanAsyncResourceBind(); // twice is harmless

  it('runs the function in the async scope of the resource, with its this and arguments', () => {
    const als = new AsyncLocalStorage<string>();
    const resource = als.run('bound', () => new AsyncResource('test'));
    const self = { tag: 'self' };
    // thisArg is documented (asyncResource.bind(fn[, thisArg])) but missing from @types/node.
    const bindWithThis = resource.bind as unknown as (fn: (a: number, b: number) => { store?: string; self: unknown; sum: number; id: number }, thisArg: unknown) => (a: number, b: number) => { store?: string; self: unknown; sum: number; id: number };
    const withThis = bindWithThis.call(resource, function (this: unknown, a: number, b: number) {
      return { store: als.getStore(), self: this, sum: a + b, id: executionAsyncId() };
    }, self);
    const r = als.run('caller', () => withThis(2, 3));
    assert.deepEqual({ store: r.store, self: r.self, sum: r.sum }, { store: 'bound', self, sum: 5 });
    assert.equal(r.id, resource.asyncId());
    const plain = resource.bind(function (this: unknown) {
      return { store: als.getStore(), self: this };
    });
    const target = { plain };
    assert.deepEqual(als.run('caller', () => target.plain()), { store: 'bound', self: target });
  });

  it('keeps the length of the function and the (deprecated) asyncResource property', () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind((_a: number, _b: number, _c: number) => 0);
    assert.equal(bound.length, 3);
    assert.equal((bound as unknown as { asyncResource: unknown }).asyncResource, resource);
    const other = new AsyncResource('other');
    (bound as unknown as { asyncResource: unknown }).asyncResource = other;
    assert.equal((bound as unknown as { asyncResource: unknown }).asyncResource, other);
    assert.equal(AsyncResource.bind((x: number) => x * 2)(21), 42);
  });

  it('rejects a non-function as Node does', () => {
    assert.throws(() => new AsyncResource('test').bind(42 as unknown as () => void), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
