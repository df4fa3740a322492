// Plugin results, as the kube-scheduler framework's *Status: a code plus reasons. Reasons are
// the phrases that end up, counted per node, in the pod's Unschedulable message.

export enum Code {
  Success = 0,
  /** The node does not fit now, but might after something changes (preemption could help). */
  Unschedulable = 1,
  /** The node cannot fit, whatever happens to the pods on it. */
  UnschedulableAndUnresolvable = 2,
  /** Something is wrong with the input or the plugin, not with the node. */
  Error = 3,
  /** From PreFilter/PreScore: the plugin has nothing to check for this pod; skip it this cycle. */
  Skip = 4,
}

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** Filled in by the framework: the plugin that returned the status. */
  plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: Code.Success, reasons: Object.freeze([]) as readonly string[] });
export const SKIP: Status = Object.freeze({ code: Code.Skip, reasons: Object.freeze([]) as readonly string[] });

export function unschedulable(...reasons: string[]): Status {
  return { code: Code.Unschedulable, reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: Code.UnschedulableAndUnresolvable, reasons };
}

export function errorStatus(message: string): Status {
  return { code: Code.Error, reasons: [message] };
}

export function isSuccess(s: Status | undefined | null): boolean {
  return !s || s.code === Code.Success;
}

export function isRejection(s: Status): boolean {
  return s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable;
}

/** Reasons a plugin returns are often constant; freezing them lets plugins share one Status. */
export function constStatus(code: Code, reason: string): Status {
  return Object.freeze({ code, reasons: Object.freeze([reason]) as readonly string[] });
}
