// The shape of one Pod Security check (policy/checks.go upstream) and the helpers every check
// shares for its messages, which must read exactly as Kubernetes writes them.
import type { Container, ObjectMeta, PodSpec } from '@k8ts/api';

export interface CheckResult {
  allowed: boolean;
  /** Short, always shown: "host namespaces". */
  reason?: string;
  /** Optional specifics shown in parentheses: `hostNetwork=true`. */
  detail?: string;
}

export type CheckPodFn = (meta: ObjectMeta, spec: PodSpec) => CheckResult;

export interface VersionedCheck {
  /** The first policy minor version (1.x) this implementation applies to. */
  minimumMinor: number;
  check: CheckPodFn;
  /** Baseline checks this restricted check replaces at the restricted level. */
  overrides?: string[];
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Strictly increasing minimumMinor. */
  versions: VersionedCheck[];
}

export const ALLOWED: CheckResult = { allowed: true };

export function forbid(reason: string, detail?: string): CheckResult {
  return { allowed: false, reason, detail };
}

export function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : '';
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"`. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Go's sets.NewString(...).List(): unique, sorted bytewise. */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Init containers, then containers, then ephemeral containers, as upstream visits them. */
export function visitContainers(spec: PodSpec, visit: (c: Container) => void): void {
  for (const c of spec.initContainers ?? []) visit(c);
  for (const c of spec.containers ?? []) visit(c);
  for (const c of (spec.ephemeralContainers ?? []) as Container[]) visit(c);
}

/** spec.os.name == windows: some restricted checks exempt such pods from 1.25 on. */
export function isWindowsPod(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}
