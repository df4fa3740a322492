// kubelet's /metrics/resource: the node's, each pod's and each container's cumulative CPU
// seconds and memory working set, in the Prometheus text format with the sample's own
// timestamp (ms), which metrics-server scrapes and turns into rates. The node here is what
// this agent runs: its containers share a Docker engine with other nodes, so the node's
// figures are the sum of its own containers (sandboxes included), not the host's.
import type { ContainerRuntime, ContainerStats, ObservedContainer } from '../runtime/container-runtime.js';

export const RESOURCE_METRICS_PATH = '/metrics/resource';
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

interface Sample {
  c: ObservedContainer;
  s: ContainerStats;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function series(name: string, help: string, type: 'counter' | 'gauge', rows: [Record<string, string>, number, number][]): string {
  let out = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  for (const [labels, value, ts] of rows) {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
    out += `${name}${l ? `{${l}}` : ''} ${value} ${Math.round(ts)}\n`;
  }
  return out;
}

/** Reads every running container's stats of this node and renders the exposition. */
export async function resourceMetrics(runtime: ContainerRuntime, log?: { debug(o: object, m: string): void }): Promise<string> {
  const running = (await runtime.list()).filter((c) => c.running);
  let failed = 0;
  const samples = (
    await Promise.all(
      running.map(async (c) => {
        try {
          const s = await runtime.stats(c.id);
          return s ? { c, s } : undefined;
        } catch (e) {
          failed++;
          log?.debug({ container: c.id, err: (e as Error).message }, 'container stats failed');
          return undefined;
        }
      }),
    )
  ).filter((x): x is Sample => !!x);
  return renderResourceMetrics(samples, failed > 0);
}

export function renderResourceMetrics(samples: Sample[], scrapeError: boolean, now = Date.now()): string {
  const apps = samples.filter((x) => x.c.kind === 'app').sort((a, b) => `${a.c.podNamespace}/${a.c.podName}/${a.c.name}`.localeCompare(`${b.c.podNamespace}/${b.c.podName}/${b.c.name}`));
  const pods = new Map<string, { ns: string; pod: string; cpu: number; mem: number; ts: number }>();
  let nodeCpu = 0;
  let nodeMem = 0;
  let nodeTs = 0;
  for (const { c, s } of samples) {
    const key = `${c.podNamespace}/${c.podName}`;
    const p = pods.get(key) ?? { ns: c.podNamespace, pod: c.podName, cpu: 0, mem: 0, ts: 0 };
    p.cpu += s.cpuSeconds;
    p.mem += s.workingSetBytes;
    p.ts = Math.max(p.ts, s.timestampMs);
    pods.set(key, p);
    nodeCpu += s.cpuSeconds;
    nodeMem += s.workingSetBytes;
    nodeTs = Math.max(nodeTs, s.timestampMs);
  }
  nodeTs ||= now;
  const containerLabels = (c: ObservedContainer) => ({ container: c.name, namespace: c.podNamespace, pod: c.podName });
  const podRows = [...pods.values()];
  return [
    series('container_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the container in core-seconds', 'counter', apps.map(({ c, s }) => [containerLabels(c), s.cpuSeconds, s.timestampMs])),
    series('container_memory_working_set_bytes', '[STABLE] Current working set of the container in bytes', 'gauge', apps.map(({ c, s }) => [containerLabels(c), s.workingSetBytes, s.timestampMs])),
    series('node_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the node in core-seconds', 'counter', [[{}, nodeCpu, nodeTs]]),
    series('node_memory_working_set_bytes', '[STABLE] Current working set of the node in bytes', 'gauge', [[{}, nodeMem, nodeTs]]),
    series('pod_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds', 'counter', podRows.map((p) => [{ namespace: p.ns, pod: p.pod }, p.cpu, p.ts])),
    series('pod_memory_working_set_bytes', '[STABLE] Current working set of the pod in bytes', 'gauge', podRows.map((p) => [{ namespace: p.ns, pod: p.pod }, p.mem, p.ts])),
    `# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE resource_scrape_error gauge\nresource_scrape_error ${scrapeError ? 1 : 0}\n`,
  ].join('');
}
