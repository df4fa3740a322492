// kube-apiserver's audit log flags: --audit-log-path (a file, or `-` for stdout; without it
// nothing is audited), --audit-policy-file (an audit.k8s.io/v1 Policy), --audit-log-maxsize
// and --audit-log-maxbackup. Kubernetes audits nothing when given a path but no policy;
// issue 14 asks for Metadata for every request by default, which is what k8ts does then.
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import { AuditLog } from '../audit/log.js';
import { loadPolicy, METADATA_FOR_ALL, type AuditPolicy } from '../audit/policy.js';

export interface AuditLogFlags {
  /** --audit-log-path: where audit events go, one JSON line each; `-` for stdout. */
  auditLogPath?: string;
  /** --audit-policy-file: which requests are audited and at what level (default: Metadata for all). */
  auditPolicyFile?: string;
  /** --audit-log-maxsize: MB before the file is rotated, 0 never (default 100). */
  auditLogMaxSize?: number;
  /** --audit-log-maxbackup: rotated files kept, 0 no limit (default 5). */
  auditLogMaxBackup?: number;
}

/** The policy of the flags, read (and checked) before anything starts; undefined when nothing is audited. */
export function auditPolicyOf(f: AuditLogFlags): AuditPolicy | undefined {
  if (!f.auditLogPath) {
    if (f.auditPolicyFile) throw new Error('--audit-policy-file needs --audit-log-path (the only audit backend here)');
    return undefined;
  }
  for (const [flag, v] of [['--audit-log-maxsize', f.auditLogMaxSize], ['--audit-log-maxbackup', f.auditLogMaxBackup]] as const)
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new Error(`${flag} must be a whole number ≥ 0, got ${v}`);
  return f.auditPolicyFile ? loadPolicy(f.auditPolicyFile) : METADATA_FOR_ALL;
}

export function openAuditLog(f: AuditLogFlags, policy: AuditPolicy | undefined, logger: Logger, metricsRegistry: MetricsRegistry): AuditLog | undefined {
  if (!f.auditLogPath || !policy) return undefined;
  const log = new AuditLog({ path: f.auditLogPath, policy, maxSizeMB: f.auditLogMaxSize, maxBackups: f.auditLogMaxBackup, metricsRegistry, logger });
  logger.info({ path: f.auditLogPath, policyFile: f.auditPolicyFile ?? '(none: Metadata for every request)' }, 'audit log');
  return log;
}
