// What happened during a drill, in order, each mark timed from the fault's injection.
export type MarkKind =
  | 'workload-ready'
  | 'fault'
  | 'node-not-ready'
  | 'taint'
  | 'eviction'
  | 'pod-not-ready'
  | 'replacement-created'
  | 'scheduled'
  | 'running'
  | 'ready'
  | 'recovered'
  | 'leader'
  | 'api-down'
  | 'api-up'
  | 'heal'
  | 'node-ready'
  | 'untainted'
  | 'pod-removed'
  | 'event'
  | 'settled';

export interface Mark {
  /** ms since the fault was injected (negative before it). */
  t: number;
  at: string;
  kind: MarkKind;
  what: string;
}

export class Timeline {
  readonly marks: Mark[] = [];
  faultAt: number | undefined;
  private readonly once = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  add(kind: MarkKind, what: string, at = this.now()): Mark {
    const m = { t: this.faultAt === undefined ? 0 : at - this.faultAt, at: new Date(at).toISOString(), kind, what };
    this.marks.push(m);
    return m;
  }

  /** Adds a mark only the first time `key` is seen (a pod turning Ready once, not on every update). */
  addOnce(key: string, kind: MarkKind, what: string, at = this.now()): Mark | undefined {
    if (this.once.has(key)) return undefined;
    this.once.add(key);
    return this.add(kind, what, at);
  }

  fault(what: string, at = this.now()): Mark {
    this.faultAt = at;
    for (const m of this.marks) m.t = Date.parse(m.at) - at;
    return this.add('fault', what, at);
  }

  first(kind: MarkKind): Mark | undefined {
    return this.sorted().find((m) => m.kind === kind && m.t >= 0);
  }

  sorted(): Mark[] {
    return [...this.marks].sort((a, b) => a.t - b.t);
  }
}
