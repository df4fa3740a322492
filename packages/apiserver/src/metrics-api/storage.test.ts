import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from './prometheus-text.js';
import { MetricsStorage, decodeScrape, goDuration } from './storage.js';

const scrape = (t: number, nodeCpu: number, cpu: number, mem: number) => `# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total ${nodeCpu} ${t}
node_memory_working_set_bytes 1048576 ${t}
container_cpu_usage_seconds_total{container="hello",namespace="default",pod="web-1"} ${cpu} ${t}
container_memory_working_set_bytes{container="hello",namespace="default",pod="web-1"} ${mem} ${t}
container_cpu_usage_seconds_total{container="a\\"b",namespace="default",pod="odd"} 1 ${t}
garbage line {
resource_scrape_error 0
`;

test('the text format: labels with escapes, timestamps, comments and bad lines', () => {
  const s = parsePrometheusText(scrape(1000, 1, 2, 3));
  assert.equal(s.length, 6, 'the garbage line is dropped');
  assert.deepEqual(s[2], { name: 'container_cpu_usage_seconds_total', labels: { container: 'hello', namespace: 'default', pod: 'web-1' }, value: 2, timestampMs: 1000 });
  assert.equal(s[4]!.labels.container, 'a"b');
});

test('rates between two scrapes, as metrics-server computes them; none after one', () => {
  const st = new MetricsStorage();
  st.store('n1', decodeScrape(parsePrometheusText(scrape(1_700_000_000_000, 10, 1, 2048)), 0));
  assert.equal(st.nodeMetrics('n1'), undefined, 'one point is no rate');
  assert.equal(st.podMetrics('default', 'web-1', ['hello']), undefined);
  st.store('n1', decodeScrape(parsePrometheusText(scrape(1_700_000_015_000, 13, 1.75, 4096)), 0));
  const node = st.nodeMetrics('n1') as any;
  assert.deepEqual(node.usage, { cpu: '200000000n', memory: '1Mi' });
  assert.equal(node.window, '15s');
  assert.equal(node.timestamp, '2023-11-14T22:13:35Z');
  const pod = st.podMetrics('default', 'web-1', ['hello']) as any;
  assert.deepEqual(pod.containers, [{ name: 'hello', usage: { cpu: '50000000n', memory: '4Ki' } }]);
  assert.deepEqual([...st.pods().keys()], ['default/web-1'], 'a container without its memory sample is left out');
  // A counter that went back (restart) starts the series again.
  st.store('n1', decodeScrape(parsePrometheusText(scrape(1_700_000_030_000, 14, 0.1, 4096)), 0));
  assert.equal(st.podMetrics('default', 'web-1', ['hello']), undefined);
  // A node that is gone takes its pods with it.
  st.retainNodes(new Set());
  assert.equal(st.nodeMetrics('n1'), undefined);
  assert.equal(st.pods().size, 0);
});

test('Go duration strings', () => {
  assert.equal(goDuration(15_003), '15.003s');
  assert.equal(goDuration(60_500), '1m0.5s');
  assert.equal(goDuration(500), '500ms');
});
