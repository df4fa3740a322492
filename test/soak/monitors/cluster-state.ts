// Nodes and Leases as the soak watches them: a node that stops being Ready (or disappears),
// a Lease whose renewals were further apart than its duration (it expired: lost), and a
// Lease whose holder changed (the scheduler's or controller-manager's leader changed).
import { isNodeReady } from '@k8ts/api';
import type { ApiClient } from '../http.js';
import { ListWatch } from './list-watch.js';

export interface ClusterFigures {
  nodes: string[];
  notReady: { node: string; atMs: number; why: string }[];
  leases: string[];
  holderChanges: { lease: string; from: string; to: string; atMs: number }[];
  expiries: { lease: string; gapMs: number; durationS: number; atMs: number }[];
  /** Longest time between two renewals, node Leases and leader Leases apart, ms. */
  maxRenewGapMs: { node: number; leader: number };
  /** Where and when (ms since the start) the longest of each was seen. */
  maxRenewGapAt: { node: string; leader: string };
  maxRenewGapAtMs: { node: number; leader: number };
  renewals: number;
  watchRestarts: number;
  /** The apiserver did not answer the monitor's last look. */
  unanswered?: boolean;
}

interface LeaseSeen {
  holder: string;
  renewMs: number;
  durationS: number;
}

export class ClusterMonitor {
  private readonly startedAt = Date.now();
  private readonly ready = new Map<string, boolean>();
  private readonly leases = new Map<string, LeaseSeen>();
  private readonly f: ClusterFigures = { nodes: [], notReady: [], leases: [], holderChanges: [], expiries: [], maxRenewGapMs: { node: 0, leader: 0 }, maxRenewGapAt: { node: '', leader: '' }, maxRenewGapAtMs: { node: 0, leader: 0 }, renewals: 0, watchRestarts: 0 };
  private readonly nodeWatch: ListWatch;
  private readonly leaseWatch: ListWatch;

  constructor(admin: ApiClient) {
    this.nodeWatch = new ListWatch(admin, '/api/v1/nodes', (type, n) => this.node(type, n));
    this.leaseWatch = new ListWatch(admin, '/apis/coordination.k8s.io/v1/leases', (type, l) => this.lease(type, l));
  }

  async start(): Promise<void> {
    await Promise.all([this.nodeWatch.start(), this.leaseWatch.start()]);
    const down = [...this.ready].filter(([, r]) => !r).map(([n]) => n);
    if (down.length) throw new Error(`nodes not Ready before the soak: ${down.join(', ')}`);
  }

  private at(): number {
    return Date.now() - this.startedAt;
  }

  private node(type: string, n: any): void {
    const name = n.metadata.name as string;
    const was = this.ready.get(name);
    const now = type !== 'DELETED' && isNodeReady(n);
    if (was && !now) this.f.notReady.push({ node: name, atMs: this.at(), why: type === 'DELETED' ? 'deleted' : 'NotReady' });
    this.ready.set(name, now);
  }

  private lease(type: string, l: any): void {
    if (type === 'DELETED') return;
    const key = `${l.metadata.namespace}/${l.metadata.name}`;
    const seen: LeaseSeen = { holder: l.spec?.holderIdentity ?? '', renewMs: Date.parse(l.spec?.renewTime ?? '') || 0, durationS: l.spec?.leaseDurationSeconds ?? 0 };
    const prev = this.leases.get(key);
    this.leases.set(key, seen);
    if (!prev) return;
    if (prev.holder !== seen.holder) this.f.holderChanges.push({ lease: key, from: prev.holder, to: seen.holder, atMs: this.at() });
    if (seen.renewMs > prev.renewMs) this.renewed(key, seen.renewMs - prev.renewMs, prev.durationS);
  }

  private renewed(key: string, gapMs: number, durationS: number): void {
    this.f.renewals++;
    const kind = key.startsWith('kube-node-lease/') ? 'node' : 'leader';
    if (gapMs > this.f.maxRenewGapMs[kind]) {
      this.f.maxRenewGapMs[kind] = gapMs;
      this.f.maxRenewGapAt[kind] = `${key} at ${(this.at() / 1000).toFixed(1)} s`;
      this.f.maxRenewGapAtMs[kind] = this.at();
    }
    if (durationS > 0 && gapMs > durationS * 1000) this.f.expiries.push({ lease: key, gapMs, durationS, atMs: this.at() });
  }

  async stop(): Promise<ClusterFigures> {
    await Promise.all([this.nodeWatch.stop(), this.leaseWatch.stop()]);
    // A fresh look at the end: a Lease no longer renewed, a node that went away unseen. An
    // apiserver that does not answer any more leaves the trailing gaps measured from now.
    await this.nodeWatch.list().catch(() => (this.f.unanswered = true));
    await this.leaseWatch.list().catch(() => (this.f.unanswered = true));
    const now = Date.now();
    for (const [key, l] of this.leases) if (l.renewMs && now - l.renewMs > l.durationS * 1000) this.renewed(key, now - l.renewMs, l.durationS);
    this.f.nodes = [...this.ready.keys()].sort();
    this.f.leases = [...this.leases.keys()].sort();
    this.f.watchRestarts = this.nodeWatch.restarts + this.leaseWatch.restarts;
    return this.f;
  }
}
