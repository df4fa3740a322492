// What the abusers sent and what came back, per kind of abuse, as plain JSON so the abuser
// process can hand it to the soak's main process over IPC.
export const ABUSE_KINDS = ['flood', 'big-bodies', 'slow-bodies', 'fuzz', 'watch-storm'] as const;
export type AbuseKind = (typeof ABUSE_KINDS)[number];

export interface KindTally {
  requests: number;
  /** Answers by status code, or `err:<code>` / `grpc:<code>` / `closed` for what was not an HTTP answer. */
  outcomes: Record<string, number>;
  /** Other counts of the kind (429s with Retry-After, watch events received, …). */
  notes: Record<string, number>;
  /** A few answers worth reading (5xx bodies), capped. */
  samples: string[];
}

export type TallyJson = Record<AbuseKind, KindTally>;

/** When the heavier moments of the abuse happened (epoch ms), to read next to a stall. */
export type AbuseEvent = [at: number, kind: AbuseKind, what: string];

export class Tally {
  readonly events: AbuseEvent[] = [];
  readonly kinds = Object.fromEntries(ABUSE_KINDS.map((k): [AbuseKind, KindTally] => [k, { requests: 0, outcomes: {}, notes: {}, samples: [] }])) as TallyJson;

  add(kind: AbuseKind, outcome: string | number): void {
    const t = this.kinds[kind];
    t.requests++;
    t.outcomes[String(outcome)] = (t.outcomes[String(outcome)] ?? 0) + 1;
  }

  note(kind: AbuseKind, key: string, n = 1): void {
    const t = this.kinds[kind];
    t.notes[key] = (t.notes[key] ?? 0) + n;
  }

  event(kind: AbuseKind, what: string): void {
    if (this.events.length < 5000) this.events.push([Date.now(), kind, what]);
  }

  sample(kind: AbuseKind, text: string): void {
    const t = this.kinds[kind];
    if (t.samples.length < 10) t.samples.push(text.slice(0, 500));
  }
}

/** Requests answered with this status across every kind. */
export function countStatus(t: TallyJson, status: string): number {
  return Object.values(t).reduce((n, k) => n + (k.outcomes[status] ?? 0), 0);
}
