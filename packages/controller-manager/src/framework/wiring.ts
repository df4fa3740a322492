// Glue between @k8ts/client informers and the controllers' Lister/handler shapes.
import type { KubeObject } from '@k8ts/api';
import type { Informer, SharedInformerFactory, WorkQueue } from '@k8ts/client';
import type { ControllerContext, Lister } from './types.js';

export function listerOf<T extends KubeObject>(inf: Informer<T>): Lister<T> {
  return {
    get: (ns, name) => inf.getByName(ns, name),
    list: (ns) => inf.list(ns),
  };
}

export interface Handlers<T> {
  add?: (obj: T) => void;
  update?: (old: T, cur: T) => void;
  delete?: (obj: T) => void;
}

export function on<T extends KubeObject>(inf: Informer<T>, h: Handlers<T>): void {
  inf.addEventHandler({ onAdd: h.add, onUpdate: h.update, onDelete: h.delete });
}

/** What a controller needs built: the shared informers, its queue and the context. */
export interface WiringContext {
  ctx: ControllerContext;
  factory: SharedInformerFactory;
  queue: WorkQueue<string>;
  informer<T extends KubeObject = KubeObject>(resource: string): Informer<T>;
  lister<T extends KubeObject = KubeObject>(resource: string): Lister<T>;
}

/** A running controller: the manager feeds `sync` from the queue. */
export interface Runnable {
  sync(key: string): Promise<void>;
  /** Called once caches have synced, before workers start (timers, index rebuilds). */
  start?(): void;
  stop?(): void;
}

export interface ControllerDefinition {
  name: string;
  /** Event source component, as kube-controller-manager names it. */
  component: string;
  build(w: WiringContext): Runnable;
}
