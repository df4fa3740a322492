// Levels, versions and the namespace labels of Pod Security admission, as
// k8s.io/pod-security-admission/api has them: a policy is three level:version pairs
// (enforce, audit, warn); labels override the cluster defaults one by one, and a label that
// does not parse still yields a policy (restricted for enforce, privileged for audit and warn)
// together with the field errors a namespace write is refused with.

export type Level = 'privileged' | 'baseline' | 'restricted';
export const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** A policy version: v1.<minor>, or latest (newer than any minor). */
export interface Version {
  latest: boolean;
  minor: number;
}

export const LATEST: Version = { latest: true, minor: 0 };

export interface LevelVersion {
  level: Level;
  version: Version;
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export type Mode = keyof Policy;
export const MODES: readonly Mode[] = ['enforce', 'audit', 'warn'];

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const levelLabel = (mode: Mode): string => `${LABEL_PREFIX}${mode}`;
export const versionLabel = (mode: Mode): string => `${LABEL_PREFIX}${mode}-version`;

export interface LabelError {
  field: string;
  value: string;
  message: string;
}

export function versionString(v: Version): string {
  return v.latest ? 'latest' : `v1.${v.minor}`;
}

export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && a.version.latest === b.version.latest && (a.version.latest || a.version.minor === b.version.minor);
}

export function parseLevel(s: string): Level | undefined {
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : undefined;
}

const VERSION = /^v1\.([0-9]|[1-9][0-9]*)$/;

export function parseVersion(s: string): Version | undefined {
  if (s === 'latest') return LATEST;
  const m = VERSION.exec(s);
  if (!m) return undefined;
  const minor = Number(m[1]);
  return Number.isSafeInteger(minor) ? { latest: false, minor } : undefined;
}

export const LEVEL_ERROR = `must be one of ${LEVELS.join(', ')}`;
export const VERSION_ERROR = 'must be "latest" or "v1.x"';

/** -1 when a is less strict than b, 0 when equal, 1 when stricter. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

/** A version older than the other (latest is never older). */
export function olderVersion(a: Version, b: Version): boolean {
  if (a.latest) return false;
  if (b.latest) return true;
  return a.minor < b.minor;
}

/**
 * The policy a namespace's labels select over the defaults. A valid policy comes back even
 * with errors: enforce falls back to restricted, audit and warn to privileged (fail open).
 */
export function policyFromLabels(labels: Record<string, unknown> | undefined, defaults: Policy): { policy: Policy; errors: LabelError[] } {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: LabelError[] = [];
  if (!labels) return { policy, errors };
  for (const mode of MODES) {
    const lk = levelLabel(mode);
    if (Object.prototype.hasOwnProperty.call(labels, lk)) {
      const raw = String(labels[lk]);
      const level = parseLevel(raw);
      if (level) policy[mode].level = level;
      else {
        policy[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
        errors.push({ field: `metadata.labels[${lk}]`, value: raw, message: LEVEL_ERROR });
      }
    }
    const vk = versionLabel(mode);
    if (Object.prototype.hasOwnProperty.call(labels, vk)) {
      const raw = String(labels[vk]);
      const version = parseVersion(raw);
      policy[mode].version = version ?? LATEST;
      if (!version) errors.push({ field: `metadata.labels[${vk}]`, value: raw, message: VERSION_ERROR });
    }
  }
  return { policy, errors };
}

export function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';
}

/** Go's %q for the strings these messages quote (names, values). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
