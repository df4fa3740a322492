// Where allocations live: one key per allocated item, created only if absent, so two
// apiservers (or two concurrent requests) can never hand out the same address or port.
import type { Etcd3 } from 'etcd3';

export interface Allocation {
  /** "namespace/name" of the Service holding the item. */
  owner: string;
  allocatedAt: string;
}

export interface RangeStore {
  /** true when the key was created, false when it already existed. */
  createIfAbsent(key: string, value: Allocation): Promise<boolean>;
  get(key: string): Promise<Allocation | undefined>;
  delete(key: string): Promise<void>;
  /** Every key under prefix with its value. */
  list(prefix: string): Promise<Map<string, Allocation>>;
}

function decode(raw: string): Allocation {
  try {
    const v = JSON.parse(raw) as Partial<Allocation>;
    return { owner: String(v.owner ?? ''), allocatedAt: String(v.allocatedAt ?? '') };
  } catch {
    return { owner: '', allocatedAt: '' };
  }
}

export class EtcdRangeStore implements RangeStore {
  constructor(private readonly etcd: Etcd3) {}

  async createIfAbsent(key: string, value: Allocation): Promise<boolean> {
    const res = await this.etcd.if(key, 'Create', '==', 0).then(this.etcd.put(key).value(JSON.stringify(value))).commit();
    return res.succeeded;
  }

  async get(key: string): Promise<Allocation | undefined> {
    const raw = await this.etcd.get(key).string();
    return raw === null ? undefined : decode(raw);
  }

  async delete(key: string): Promise<void> {
    await this.etcd.delete().key(key);
  }

  async list(prefix: string): Promise<Map<string, Allocation>> {
    const all = await this.etcd.getAll().prefix(prefix).strings();
    const out = new Map<string, Allocation>();
    for (const [k, v] of Object.entries(all)) out.set(k, decode(v));
    return out;
  }
}

/** In-memory store for unit tests and single-process use. */
export class MemoryRangeStore implements RangeStore {
  readonly data = new Map<string, Allocation>();
  async createIfAbsent(key: string, value: Allocation): Promise<boolean> {
    if (this.data.has(key)) return false;
    this.data.set(key, { ...value });
    return true;
  }
  async get(key: string): Promise<Allocation | undefined> {
    return this.data.get(key);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  async list(prefix: string): Promise<Map<string, Allocation>> {
    return new Map([...this.data].filter(([k]) => k.startsWith(prefix)));
  }
}

export function isRangeStore(x: unknown): x is RangeStore {
  return typeof x === 'object' && x !== null && typeof (x as RangeStore).createIfAbsent === 'function';
}
