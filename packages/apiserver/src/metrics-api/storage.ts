// metrics-server's storage: the last two points of each node and container, and from them
// the rate of CPU use (cores over the window between the points) and the latest memory
// working set. A series whose counter went back (the container restarted) starts again.
// A pod is reported only when every one of its containers has a rate, as metrics-server does.
import { formatQuantity, rfc3339, type KubeObject } from '@k8ts/api';
import type { PromSample } from './prometheus-text.js';

interface Point {
  cpuSeconds: number;
  memoryBytes: number;
  timestampMs: number;
}

interface Series {
  prev?: Point;
  last: Point;
}

export interface Usage {
  /** nanocores */
  cpu: number;
  /** bytes */
  memory: number;
  timestampMs: number;
  windowMs: number;
}

/** A node's scrape, decoded: the node's point and each container's, keyed ns/pod/container. */
export interface NodeScrape {
  node?: Point;
  containers: Map<string, Point>;
}

function add(series: Map<string, Series>, key: string, p: Point): void {
  const s = series.get(key);
  if (!s) {
    series.set(key, { last: p });
    return;
  }
  if (p.timestampMs <= s.last.timestampMs) return; // nothing new
  if (p.cpuSeconds < s.last.cpuSeconds) {
    series.set(key, { last: p }); // reset: a new container or a counter that restarted
    return;
  }
  series.set(key, { prev: s.last, last: p });
}

function usageOf(s: Series | undefined): Usage | undefined {
  if (!s?.prev) return undefined;
  const windowMs = s.last.timestampMs - s.prev.timestampMs;
  if (windowMs <= 0) return undefined;
  const cpu = ((s.last.cpuSeconds - s.prev.cpuSeconds) / (windowMs / 1000)) * 1e9;
  return { cpu: Math.max(0, Math.round(cpu)), memory: s.last.memoryBytes, timestampMs: s.last.timestampMs, windowMs };
}

/** Reads the samples of one /metrics/resource answer. */
export function decodeScrape(samples: PromSample[], nowMs: number): NodeScrape {
  const containers = new Map<string, Point>();
  let node: Partial<Point> = {};
  const point = (key: string) => {
    let p = containers.get(key);
    if (!p) containers.set(key, (p = { cpuSeconds: NaN, memoryBytes: NaN, timestampMs: 0 }));
    return p;
  };
  for (const s of samples) {
    const ts = s.timestampMs ?? nowMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        node = { ...node, cpuSeconds: s.value, timestampMs: Math.max(node.timestampMs ?? 0, ts) };
        break;
      case 'node_memory_working_set_bytes':
        node = { ...node, memoryBytes: s.value, timestampMs: Math.max(node.timestampMs ?? 0, ts) };
        break;
      case 'container_cpu_usage_seconds_total':
      case 'container_memory_working_set_bytes': {
        const { namespace, pod, container } = s.labels;
        if (!namespace || !pod || !container) break;
        const p = point(`${namespace}/${pod}/${container}`);
        if (s.name === 'container_cpu_usage_seconds_total') p.cpuSeconds = s.value;
        else p.memoryBytes = s.value;
        p.timestampMs = Math.max(p.timestampMs, ts);
        break;
      }
    }
  }
  for (const [k, p] of containers) if (Number.isNaN(p.cpuSeconds) || Number.isNaN(p.memoryBytes)) containers.delete(k);
  const whole = node.cpuSeconds !== undefined && node.memoryBytes !== undefined;
  return { node: whole ? (node as Point) : undefined, containers };
}

/** Go's time.Duration.String() of whole milliseconds ("15.003s", "1m0.5s"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number(s.toFixed(3))}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

const cpuQuantity = (nanocores: number) => `${nanocores}n`;
const memoryQuantity = (bytes: number) => formatQuantity(bytes, 'binary');

export interface PodInfo {
  labels?: Record<string, string>;
}

export class MetricsStorage {
  private readonly nodes = new Map<string, Series>();
  /** ns/pod/container → series; each node's keys, so a node's scrape replaces its own. */
  private readonly containers = new Map<string, Series>();
  private readonly keysOfNode = new Map<string, Set<string>>();

  /** Takes one node's scrape. */
  store(nodeName: string, scrape: NodeScrape): void {
    if (scrape.node) add(this.nodes, nodeName, scrape.node);
    const seen = new Set<string>();
    for (const [key, p] of scrape.containers) {
      add(this.containers, key, p);
      seen.add(key);
    }
    // Containers gone from this node's answer are gone.
    for (const key of this.keysOfNode.get(nodeName) ?? []) if (!seen.has(key)) this.containers.delete(key);
    this.keysOfNode.set(nodeName, seen);
  }

  /** Forgets nodes not in `names` (deleted, or no longer connected). */
  retainNodes(names: Set<string>): void {
    for (const n of [...this.nodes.keys()]) if (!names.has(n)) this.nodes.delete(n);
    for (const [n, keys] of [...this.keysOfNode]) {
      if (names.has(n)) continue;
      for (const k of keys) this.containers.delete(k);
      this.keysOfNode.delete(n);
    }
  }

  nodeMetrics(name: string, labels?: Record<string, string>): KubeObject | undefined {
    const u = usageOf(this.nodes.get(name));
    if (!u) return undefined;
    return {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name, creationTimestamp: rfc3339(), ...(labels ? { labels } : {}) },
      timestamp: rfc3339(new Date(u.timestampMs)),
      window: goDuration(u.windowMs),
      usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) },
    } as unknown as KubeObject;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()].sort();
  }

  /** The pods scraped, as ns/name → their containers' names (sorted). */
  pods(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const key of this.containers.keys()) {
      const i = key.lastIndexOf('/');
      const pod = key.slice(0, i);
      const list = out.get(pod) ?? [];
      list.push(key.slice(i + 1));
      out.set(pod, list);
    }
    for (const l of out.values()) l.sort();
    return out;
  }

  /** Container usage of one pod: undefined unless every container has a rate. */
  podMetrics(namespace: string, name: string, containerNames: string[], labels?: Record<string, string>): KubeObject | undefined {
    if (containerNames.length === 0) return undefined;
    const containers: { name: string; usage: Record<string, string> }[] = [];
    let ts = 0;
    let win = 0;
    for (const c of containerNames) {
      const u = usageOf(this.containers.get(`${namespace}/${name}/${c}`));
      if (!u) return undefined;
      containers.push({ name: c, usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) } });
      ts = Math.max(ts, u.timestampMs);
      win = Math.max(win, u.windowMs);
    }
    return {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name, namespace, creationTimestamp: rfc3339(), ...(labels ? { labels } : {}) },
      timestamp: rfc3339(new Date(ts)),
      window: goDuration(win),
      containers,
    } as unknown as KubeObject;
  }
}
