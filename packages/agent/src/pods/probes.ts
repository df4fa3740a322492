// Liveness, readiness and startup probes: one worker per (container instance, probe kind),
// timed by the probe's fields, reporting only when its result flips.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, Probe } from '@k8ts/api';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

export interface ProbeTarget {
  containerId: string;
  podIP: string;
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string; timedOut: boolean }>;
}

/** Resolves a probe port given by name through the container's ports. */
export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined) return 0;
  if (/^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`port "${port}" not found in container ports`);
  return p.containerPort;
}

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(p: Probe, kind: ProbeKind): ProbeTiming {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    // liveness and startup must be 1 (validation enforces it on Kubernetes)
    successThreshold: kind === 'readiness' ? Math.max(1, p.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export async function runProbe(p: Probe, c: Container, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    if (p.exec) {
      const r = await target.exec(p.exec.command ?? [], timeoutMs);
      if (r.timedOut) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
      return { ok: r.exitCode === 0, message: r.exitCode === 0 ? '' : `command failed with exit code ${r.exitCode}: ${(r.stdout + r.stderr).trim().slice(0, 200)}` };
    }
    if (p.httpGet) {
      const g = p.httpGet;
      const port = resolvePort(g.port, c);
      const host = g.host || target.podIP;
      const mod = g.scheme === 'HTTPS' ? https : http;
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      return await new Promise<ProbeOutcome>((resolve) => {
        const req = mod.request({ host, port, path: g.path || '/', method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve({ ok: code >= 200 && code < 400, message: code >= 200 && code < 400 ? '' : `HTTP probe failed with statuscode: ${code}` });
        });
        req.on('timeout', () => {
          req.destroy();
          resolve({ ok: false, message: `Get "http://${host}:${port}${g.path || '/'}": context deadline exceeded` });
        });
        req.on('error', (e) => resolve({ ok: false, message: `Get "http://${host}:${port}${g.path || '/'}": ${e.message}` }));
        req.end();
      });
    }
    if (p.tcpSocket || p.grpc) {
      const port = p.tcpSocket ? resolvePort(p.tcpSocket.port, c) : p.grpc!.port;
      const host = p.tcpSocket?.host || target.podIP;
      return await new Promise<ProbeOutcome>((resolve) => {
        const s = net.connect({ host, port });
        const t = setTimeout(() => {
          s.destroy();
          resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
        }, timeoutMs);
        s.once('connect', () => {
          clearTimeout(t);
          s.destroy();
          resolve({ ok: true, message: '' });
        });
        s.once('error', (e) => {
          clearTimeout(t);
          resolve({ ok: false, message: `dial tcp ${host}:${port}: ${e.message}` });
        });
      });
    }
    return { ok: false, message: 'probe has no handler' };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/**
 * Counts consecutive results against the thresholds. Pure, so the timing rules are testable:
 * `record` returns the new result when it flips, undefined otherwise.
 */
export class ProbeCounter {
  private successes = 0;
  private failures = 0;
  result: boolean | undefined;

  constructor(
    private readonly successThreshold: number,
    private readonly failureThreshold: number,
    initial: boolean | undefined,
  ) {
    this.result = initial;
  }

  record(ok: boolean): boolean | undefined {
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= this.successThreshold && this.result !== true) return (this.result = true);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= this.failureThreshold && this.result !== false) return (this.result = false);
    }
    return undefined;
  }

  /** After a liveness/startup failure restarts the container the count starts again. */
  resetFailures(): void {
    this.failures = 0;
  }
}

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  container: Container;
  target: ProbeTarget;
  /** Gate: liveness and readiness wait until startup has passed. */
  canRun?: () => boolean;
  /** The result to start from (an adopted container keeps what the API last showed). */
  initial?: boolean;
  /**
   * When the agent admitted the pod: the period's ticks are counted from here, as kubelet's
   * worker ticker starts at pod admission, not at the container's start. Default: now.
   */
  anchorMs?: number;
  /** When the container started: no probe runs before this + initialDelaySeconds. Default: now. */
  startedAtMs?: number;
  onResult(ok: boolean, message: string): void;
}

/**
 * Runs one probe on kubelet's schedule until stopped: once when created (kubelet's first status
 * update after the start triggers that at once), then on ticks every period counted from the
 * pod's admission, plus whenever `trigger()` asks (kubelet triggers a readiness probe on each
 * pod status update while the container is not yet ready). No probe runs before
 * initialDelaySeconds after the container's start; a trigger never shifts the ticks.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private probing = false;
  private again = false;
  readonly counter: ProbeCounter;
  private readonly timing: ProbeTiming;
  private readonly anchor: number;
  private readonly notBefore: number;

  constructor(private readonly o: ProbeWorkerOptions) {
    this.timing = probeTiming(o.probe, o.kind);
    // Readiness starts as not ready; liveness starts as alive; startup as not started.
    const start = o.initial ?? (o.kind === 'liveness' ? true : o.kind === 'readiness' ? false : undefined);
    this.counter = new ProbeCounter(this.timing.successThreshold, this.timing.failureThreshold, start);
    const now = Date.now();
    this.anchor = Math.min(o.anchorMs ?? now, now);
    this.notBefore = (o.startedAtMs ?? now) + this.timing.initialDelayMs;
    this.schedule();
    this.trigger();
  }

  /** Runs the probe now (after the one in flight, if any); the ticks stay where they were. */
  trigger(): void {
    if (this.stopped) return;
    if (this.probing) {
      this.again = true;
      return;
    }
    void this.probe();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    const period = this.timing.periodMs;
    // The next tick after now, and not before the initial delay is over.
    let next = this.anchor + (Math.floor((now - this.anchor) / period) + 1) * period;
    if (next < this.notBefore) next = this.anchor + Math.ceil((this.notBefore - this.anchor) / period) * period;
    this.timer = setTimeout(() => {
      this.trigger();
      this.schedule();
    }, next - now);
  }

  private async probe(): Promise<void> {
    if (Date.now() < this.notBefore || (this.o.canRun && !this.o.canRun())) return;
    this.probing = true;
    try {
      const out = await runProbe(this.o.probe, this.o.container, this.o.target, this.timing.timeoutMs);
      if (this.stopped) return;
      const flipped = this.counter.record(out.ok);
      if (flipped !== undefined) this.o.onResult(flipped, out.message);
    } finally {
      this.probing = false;
    }
    if (this.again) {
      this.again = false;
      this.trigger();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
