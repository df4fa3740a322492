// Every process `k8ts up` started (its pid files under the home) must stay alive, and what
// the apiserver and etcd cost: resident memory and CPU time from /proc, sampled every second.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../../packages/cli/src/processes.js';

const TICKS = 100; // USER_HZ on Linux

export interface ProcessFigures {
  watched: string[];
  exits: { name: string; pid: number; atMs: number }[];
  usage: Record<string, { maxRssMiB: number; cpuSeconds: number; avgCpuPct: number; peakCpuPct: number }>;
}

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

function rssKiB(pid: number): number | undefined {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) : undefined;
  } catch {
    return undefined;
  }
}

export class ProcessMonitor {
  private readonly pids = new Map<string, number>();
  private readonly extra = new Map<string, number>();
  private readonly exits: ProcessFigures['exits'] = [];
  private readonly usage = new Map<string, { first?: number; last?: number; lastAt: number; maxRss: number; peak: number }>();
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    home: string,
    private readonly measured: string[] = ['apiserver', 'etcd'],
  ) {
    const dir = join(home, 'pids');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.pid'))) this.pids.set(f.slice(0, -4), Number(readFileSync(join(dir, f), 'utf8').trim()));
  }

  /** Measures one more process (not watched for exits): the abusers'. */
  measure(name: string, pid: number): void {
    this.measured.push(name);
    this.extra.set(name, pid);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  private sample(): void {
    const now = Date.now();
    for (const [name, pid] of this.pids) {
      if (!this.exits.some((e) => e.name === name) && !isAlive(pid)) this.exits.push({ name, pid, atMs: now - this.startedAt });
    }
    for (const name of this.measured) {
      const pid = this.pids.get(name) ?? this.extra.get(name);
      const ticks = pid && cpuTicks(pid);
      if (!pid || ticks === undefined) continue;
      const u = this.usage.get(name) ?? { lastAt: now, maxRss: 0, peak: 0 };
      if (u.last !== undefined && now > u.lastAt) u.peak = Math.max(u.peak, ((ticks - u.last) / TICKS / ((now - u.lastAt) / 1000)) * 100);
      u.first ??= ticks;
      u.last = ticks;
      u.lastAt = now;
      u.maxRss = Math.max(u.maxRss, rssKiB(pid) ?? 0);
      this.usage.set(name, u);
    }
  }

  stop(): ProcessFigures {
    clearInterval(this.timer);
    this.sample();
    const secs = (Date.now() - this.startedAt) / 1000;
    const usage: ProcessFigures['usage'] = {};
    for (const [name, u] of this.usage) {
      const cpu = ((u.last ?? 0) - (u.first ?? 0)) / TICKS;
      usage[name] = { maxRssMiB: Math.round(u.maxRss / 1024), cpuSeconds: Math.round(cpu), avgCpuPct: Math.round((cpu / secs) * 100), peakCpuPct: Math.round(u.peak) };
    }
    return { watched: [...this.pids.keys()].sort(), exits: this.exits, usage };
  }
}
