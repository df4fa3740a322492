import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterPodAffinity, ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY } from './inter-pod-affinity.js';
import { filterAll, scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

const HOST = 'kubernetes.io/hostname';
const term = (app: string, topologyKey = HOST) => ({ labelSelector: { matchLabels: { app } }, topologyKey });

test('required anti-affinity on hostname: not beside a matching pod', () => {
  const nodes = [
    nodeInfo(makeNode('n1'), makePod('web-0', { labels: { app: 'web' } })),
    nodeInfo(makeNode('n2'), makePod('db-0', { labels: { app: 'db' } })),
    nodeInfo(makeNode('n3')),
  ];
  const pod = makePod('web-1', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } });
  assert.deepEqual(filterAll(InterPodAffinity, pod, nodes), { n1: ERR_REASON_ANTI_AFFINITY, n2: '', n3: '' });
});

test('anti-affinity on a zone label covers every node of the zone; other namespaces do not count', () => {
  const nodes = [
    nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), makePod('web-0', { labels: { app: 'web' } })),
    nodeInfo(makeNode('a2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('b1', { labels: { zone: 'b' } }), makePod('web-x', { namespace: 'other', labels: { app: 'web' } })),
  ];
  const pod = makePod('web-1', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'zone')] } } });
  assert.deepEqual(filterAll(InterPodAffinity, pod, nodes), { a1: ERR_REASON_ANTI_AFFINITY, a2: ERR_REASON_ANTI_AFFINITY, b1: '' });
});

test("existing pods' anti-affinity keeps a matching newcomer away", () => {
  const loner = makePod('loner', { labels: { app: 'loner' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('noisy')] } } });
  const nodes = [nodeInfo(makeNode('n1'), loner), nodeInfo(makeNode('n2'))];
  assert.deepEqual(filterAll(InterPodAffinity, makePod('p', { labels: { app: 'noisy' } }), nodes), { n1: ERR_REASON_EXISTING_ANTI_AFFINITY, n2: '' });
  // A pod the term does not select is welcome, and with no affinity anywhere the plugin skips.
  assert.deepEqual(filterAll(InterPodAffinity, makePod('q', { labels: { app: 'quiet' } }), nodes), { n1: '', n2: '' });
});

test('required affinity: only domains holding a matching pod, except for the first of a group', () => {
  const nodes = [
    nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), makePod('cache-0', { labels: { app: 'cache' } })),
    nodeInfo(makeNode('a2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('b1', { labels: { zone: 'b' } })),
    nodeInfo(makeNode('nozone')),
  ];
  const pod = makePod('web', { labels: { app: 'web' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'zone')] } } });
  assert.deepEqual(filterAll(InterPodAffinity, pod, nodes), { a1: '', a2: '', b1: ERR_REASON_AFFINITY, nozone: ERR_REASON_AFFINITY });
  // No pod matches anywhere, but the pod matches its own term: it may start the group.
  const empty = [nodeInfo(makeNode('x', { labels: { zone: 'a' } })), nodeInfo(makeNode('y'))];
  const first = makePod('c-0', { labels: { app: 'cache' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'zone')] } } });
  assert.deepEqual(filterAll(InterPodAffinity, first, empty), { x: '', y: ERR_REASON_AFFINITY });
});

test('bad selector in a term is bad input on the pod', async () => {
  const { newPodInfo } = await import('../framework/pod-info.js');
  const pod = makePod('p', {
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] }, topologyKey: HOST }] } },
  });
  assert.match(newPodInfo(pod).parseError ?? '', /not a valid label selector operator/);
});

test('preferred affinity and anti-affinity score the domains', () => {
  const nodes = [
    nodeInfo(makeNode('n1'), makePod('cache-0', { labels: { app: 'cache' } })),
    nodeInfo(makeNode('n2'), makePod('web-0', { labels: { app: 'web' } })),
    nodeInfo(makeNode('n3')),
  ];
  const pod = makePod('web-1', {
    labels: { app: 'web' },
    affinity: {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('cache') }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('web') }] },
    },
  });
  assert.deepEqual(scoreAll(InterPodAffinity, pod, nodes), { n1: 100, n2: 0, n3: 66 });
});

test('namespaceSelector: terms cover the namespaces whose labels match; {} covers all', () => {
  const nodes = [
    nodeInfo(makeNode('n1'), makePod('web-prod', { namespace: 'prod', labels: { app: 'web' } })),
    nodeInfo(makeNode('n2'), makePod('web-dev', { namespace: 'dev', labels: { app: 'web' } })),
    nodeInfo(makeNode('n3')),
  ];
  const nsLabels = { prod: { env: 'prod' }, dev: { env: 'dev' }, default: {} };
  const anti = (namespaceSelector: any) =>
    makePod('p', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term('web'), namespaceSelector }] } } });
  assert.deepEqual(filterAll(InterPodAffinity, anti({ matchLabels: { env: 'prod' } }), nodes, nsLabels), { n1: ERR_REASON_ANTI_AFFINITY, n2: '', n3: '' });
  assert.deepEqual(filterAll(InterPodAffinity, anti({}), nodes, nsLabels), { n1: ERR_REASON_ANTI_AFFINITY, n2: ERR_REASON_ANTI_AFFINITY, n3: '' });
  // Without a selector, only the pod's own namespace counts.
  assert.deepEqual(filterAll(InterPodAffinity, anti(undefined), nodes, nsLabels), { n1: '', n2: '', n3: '' });
});
