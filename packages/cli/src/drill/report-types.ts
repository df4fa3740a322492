// The JSON a drill writes (report.json) and the Markdown and HTML pages are made from.
import type { Mark } from './timeline.js';
import type { ServiceFigures, WriteFigures } from './load.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  scenario: string;
  summary: string;
  target: 'embedded' | 'compose';
  startedAt: string;
  faultAt: string;
  fault: string;
  node?: string;
  component?: string;
  namespace: string;
  replicas: number;
  /** Fault → the first sign the cluster noticed (node NotReady, a new leader, a failed write). */
  timeToDetectMs: number | null;
  /** Fault → the desired replicas Ready again (off the failed node for node faults). */
  timeToRecoverMs: number | null;
  /** Baseline from the same drill: Deployment created → all its replicas Ready. */
  coldStartMs: number;
  passed: boolean;
  checks: Check[];
  service: ServiceFigures;
  writes: WriteFigures;
  timeline: Mark[];
}

export const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
