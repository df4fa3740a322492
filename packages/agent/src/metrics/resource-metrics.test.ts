import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderResourceMetrics } from './resource-metrics.js';
import { statsFromDocker } from '../runtime/docker/docker-stats.js';
import type { ObservedContainer } from '../runtime/container-runtime.js';

const c = (name: string, kind: 'app' | 'sandbox', pod: string): ObservedContainer => ({ id: `${pod}-${name}`, kind, name, podUid: `u-${pod}`, podName: pod, podNamespace: 'default', restartCount: 0, running: true, state: 'running', created: 0, image: '', imageId: '', sandboxId: '' });

test("kubelet's /metrics/resource: containers, pods (sandbox included) and the node, with timestamps", () => {
  const text = renderResourceMetrics(
    [
      { c: c('hello', 'app', 'web'), s: { cpuSeconds: 1.5, workingSetBytes: 1000, timestampMs: 2000 } },
      { c: c('POD', 'sandbox', 'web'), s: { cpuSeconds: 0.5, workingSetBytes: 24, timestampMs: 2001 } },
    ],
    false,
  );
  assert.match(text, /^container_cpu_usage_seconds_total\{container="hello",namespace="default",pod="web"\} 1\.5 2000$/m);
  assert.match(text, /^container_memory_working_set_bytes\{container="hello",namespace="default",pod="web"\} 1000 2000$/m);
  assert.doesNotMatch(text, /container="POD"/);
  assert.match(text, /^pod_cpu_usage_seconds_total\{namespace="default",pod="web"\} 2 2001$/m);
  assert.match(text, /^node_cpu_usage_seconds_total 2 2001$/m);
  assert.match(text, /^node_memory_working_set_bytes 1024 2001$/m);
  assert.match(text, /^resource_scrape_error 0$/m);
  assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);
});

test('Docker stats: working set is usage less inactive_file (cgroup v2 and v1), CPU in seconds; not running is none', () => {
  assert.deepEqual(statsFromDocker({ read: '2024-01-01T00:00:00.5Z', cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 } }, memory_stats: { usage: 10_000, stats: { inactive_file: 4000 } } }), { cpuSeconds: 2.5, workingSetBytes: 6000, timestampMs: Date.parse('2024-01-01T00:00:00.5Z') });
  assert.equal(statsFromDocker({ cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: { usage: 100, stats: { total_inactive_file: 300 } } })!.workingSetBytes, 0);
  assert.equal(statsFromDocker({ read: '0001-01-01T00:00:00Z', cpu_stats: {}, memory_stats: {} }), undefined);
});
