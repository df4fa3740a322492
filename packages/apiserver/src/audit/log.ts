// The audit log (--audit-log-path): one audit.k8s.io/v1 Event per request as a JSON line, at
// its ResponseComplete stage, rotated by size (--audit-log-maxsize MB, --audit-log-maxbackup
// files). Never holds a credential: the user is a name and groups, the request a URI.
import { randomUUID } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { levelFor, type AuditAttributes, type AuditPolicy } from './policy.js';

export interface AuditRequest extends AuditAttributes {
  requestURI: string;
  apiVersion: string;
  sourceIP: string;
  userAgent?: string;
  code: number;
  receivedAt: Date;
  /** authorization.k8s.io/decision and reason, when authorization ran. */
  decision?: { allowed: boolean; reason: string };
}

export interface AuditLogOptions {
  path: string;
  policy: AuditPolicy;
  maxSizeMB?: number;
  maxBackups?: number;
}

function micro(d: Date): string {
  return d.toISOString().replace('Z', '000Z');
}

export class AuditLog {
  private readonly stream: RotatingFileStream;
  written = 0;

  constructor(private readonly opts: AuditLogOptions) {
    const base = basename(opts.path);
    this.stream = createStream((index) => (typeof index === 'number' && index ? `${base}.${index}` : base), {
      path: dirname(opts.path),
      size: `${opts.maxSizeMB ?? 100}M`,
      rotate: opts.maxBackups ?? 5,
    });
    this.stream.on('error', () => {
      // a full disk must not fail requests
    });
  }

  record(r: AuditRequest): void {
    const level = levelFor(this.opts.policy, r);
    if (level === 'None') return;
    const ev: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: r.requestURI,
      verb: r.verb,
      user: { username: r.user.name, groups: r.user.groups },
      sourceIPs: [r.sourceIP],
      ...(r.userAgent ? { userAgent: r.userAgent } : {}),
      ...(r.resourceRequest
        ? { objectRef: { resource: r.resource, ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.name ? { name: r.name } : {}), apiGroup: r.apiGroup, apiVersion: r.apiVersion, ...(r.subresource ? { subresource: r.subresource } : {}) } }
        : {}),
      responseStatus: { metadata: {}, code: r.code },
      requestReceivedTimestamp: micro(r.receivedAt),
      stageTimestamp: micro(new Date()),
      ...(r.decision ? { annotations: { 'authorization.k8s.io/decision': r.decision.allowed ? 'allow' : 'forbid', 'authorization.k8s.io/reason': r.decision.reason } } : {}),
    };
    this.stream.write(JSON.stringify(ev) + '\n');
    this.written++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
