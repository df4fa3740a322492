// Node 20's AsyncResource#bind wraps the getter and setter of the deprecated `asyncResource`
// property of every function it binds in util.deprecate, and each such wrapper changes a
// fresh function's prototype: ≈ 10 µs a call. Node's HTTP/2 client binds one function per
// request, so every etcd call of the apiserver (grpc-js over node:http2) paid it, a few per
// cent of the CPU of a create. This bind does the same (runs fn in the resource's async
// scope, keeps fn's length, keeps the deprecated property with its DEP0172 warning) with
// one shared accessor instead of two new wrappers per call.
import { AsyncResource } from 'node:async_hooks';

const LEAN = Symbol.for('k8ts.leanAsyncResourceBind');
const OWNER = Symbol('asyncResource');
let warned = false;

function warnOnce(): void {
  if (warned || process.noDeprecation) return;
  warned = true;
  process.emitWarning('The asyncResource property on bound functions is deprecated', 'DeprecationWarning', 'DEP0172');
}

const asyncResourceProperty: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: { [OWNER]?: unknown }) {
    warnOnce();
    return this[OWNER];
  },
  set(this: { [OWNER]?: unknown }, value: unknown) {
    warnOnce();
    this[OWNER] = value;
  },
};

type AnyFn = (...args: any[]) => any;

export function installLeanAsyncResourceBind(): void {
  const proto = AsyncResource.prototype as unknown as { bind: AnyFn & { [LEAN]?: true } };
  if (proto.bind[LEAN]) return;
  const original = proto.bind;
  const bind = function (this: AsyncResource, fn: AnyFn, thisArg?: unknown): AnyFn {
    // Argument errors exactly as Node reports them.
    if (typeof fn !== 'function') return original.call(this, fn, thisArg);
    const resource = this;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : (resource.runInAsyncScope.bind(resource, fn, thisArg) as AnyFn);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    Object.defineProperty(bound, 'asyncResource', asyncResourceProperty);
    (bound as { [OWNER]?: unknown })[OWNER] = resource;
    return bound;
  } as AnyFn & { [LEAN]?: true };
  bind[LEAN] = true;
  proto.bind = bind;
}
