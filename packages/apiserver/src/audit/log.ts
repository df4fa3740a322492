// The audit log backend (--audit-log-path): audit.k8s.io/v1 Events as JSON lines, `-` for
// stdout. Rotated by size as kube-apiserver's (--audit-log-maxsize MB, 0 never;
// --audit-log-maxbackup old files kept, 0 no limit), but with a cap by default (100 MB and 5
// old files: issue 14 asks for bounded disk) where kube-apiserver's defaults are 0 and 0.
// Lines go out together every FLUSH_MS (or at FLUSH_BYTES), one write (one trip through
// libuv's thread pool) for many requests; a crash loses at most FLUSH_MS of events, as
// kube-apiserver's batch backend loses its buffer. Requests never wait for the disk: when the
// stream's backlog passes MAX_BACKLOG_BYTES (a disk that cannot keep up), events are dropped
// and counted in apiserver_audit_error_total, as kube-apiserver's batch backend drops what
// its buffer cannot hold.
import { basename, dirname, extname } from 'node:path';
import type { Writable } from 'node:stream';
import { Counter, type Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from 'pino';
import { createStream, type Options as RotatingOptions } from 'rotating-file-stream';
import { ruleFor, type AuditAttributes, type AuditPolicy, type AuditRuleDecision } from './policy.js';

export interface AuditLogOptions {
  /** A file, or `-` for stdout. */
  path: string;
  policy: AuditPolicy;
  /** MB before the file is rotated; 0: never (default 100). */
  maxSizeMB?: number;
  /** Rotated files kept; 0: no limit (default 5). */
  maxBackups?: number;
  metricsRegistry?: MetricsRegistry;
  logger?: Logger;
}

export const DEFAULT_AUDIT_LOG_MAX_SIZE_MB = 100;
export const DEFAULT_AUDIT_LOG_MAX_BACKUPS = 5;
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;
const FLUSH_MS = 25;
const FLUSH_BYTES = 256 * 1024;

/** lumberjack's backup name (what kube-apiserver's log backend leaves): audit-2006-01-02T15-04-05.000.log. */
export function timestampedName(base: string, time: Date, index: number | undefined): string {
  const ext = extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const stamp = time.toISOString().replace(/:/g, '-').replace('Z', '');
  return `${stem}-${stamp}${index && index > 1 ? `-${index}` : ''}${ext}`;
}

function openFile(path: string, maxSizeMB: number, maxBackups: number): Writable {
  const base = basename(path);
  // rotating-file-stream refuses a `size` key that is present but undefined
  const size: RotatingOptions = maxSizeMB > 0 ? { size: `${maxSizeMB}M` } : {};
  if (maxBackups > 0) {
    // classical rotation: audit.log.1 is the newest old file, at most maxBackups are kept
    return createStream((index) => (typeof index === 'number' && index ? `${base}.${index}` : base), { path: dirname(path), ...size, rotate: maxBackups });
  }
  // every old file kept, named by the time it was rotated
  return createStream((time, index) => (time ? timestampedName(base, time as Date, index) : base), { path: dirname(path), ...size });
}

export class AuditLog {
  readonly policy: AuditPolicy;
  private readonly out: Writable;
  private readonly ownsOut: boolean;
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private dropping = false;
  private readonly events?: Counter;
  private readonly errors?: Counter;
  /** Events written (or handed to the stream); for tests and the bench. */
  written = 0;
  dropped = 0;

  constructor(private readonly opts: AuditLogOptions) {
    this.policy = opts.policy;
    if (opts.path === '-') {
      this.out = process.stdout;
      this.ownsOut = false;
    } else {
      this.out = openFile(opts.path, opts.maxSizeMB ?? DEFAULT_AUDIT_LOG_MAX_SIZE_MB, opts.maxBackups ?? DEFAULT_AUDIT_LOG_MAX_BACKUPS);
      this.ownsOut = true;
    }
    this.out.on('error', (err) => {
      // A full disk must not fail requests: the events are lost and counted.
      opts.logger?.error({ err: (err as Error).message }, 'audit log write failed');
    });
    if (opts.metricsRegistry) {
      const registers = [opts.metricsRegistry];
      this.events = new Counter({ name: 'apiserver_audit_event_total', help: 'Counter of audit events generated and sent to the audit backend.', registers });
      this.errors = new Counter({ name: 'apiserver_audit_error_total', help: 'Counter of audit events that failed to be audited properly. Plugin identifies the plugin affected by the error.', labelNames: ['plugin'], registers });
    }
  }

  /** What the policy says of a request. */
  ruleFor(a: AuditAttributes): AuditRuleDecision {
    return ruleFor(this.policy, a);
  }

  /** One event line (auditEventLine); dropped when the disk is this far behind. */
  write(line: string): void {
    if (this.closed) return;
    const backlog = this.out.writableLength + this.pendingBytes;
    if (backlog > MAX_BACKLOG_BYTES) {
      this.dropped++;
      this.errors?.inc({ plugin: 'log' });
      if (!this.dropping) this.opts.logger?.warn({ backlogBytes: backlog }, 'audit log backlog full: dropping events until it drains');
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.written++;
    this.events?.inc();
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.out.write(text);
  }

  /** Writes what is pending and closes the file. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    if (!this.ownsOut) return Promise.resolve();
    return new Promise((resolve) => {
      this.out.once('error', () => resolve());
      this.out.end(() => resolve());
    });
  }
}
