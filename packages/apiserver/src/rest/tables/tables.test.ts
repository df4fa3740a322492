import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable, humanDuration } from './index.js';
import { podCells } from './pods.js';
import type { KubeObject } from '@k8ts/api';

const NOW = Date.parse('2026-01-10T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

test('ages as Kubernetes prints them', () => {
  const cases: [number, string][] = [
    [0, '0s'], [5, '5s'], [119, '119s'], [120, '2m'], [182, '3m2s'], [600, '10m'], [3 * 3600 - 1, '179m'],
    [3 * 3600, '3h'], [3 * 3600 + 60 * 5, '3h5m'], [8 * 3600, '8h'], [47 * 3600, '47h'], [2 * 86400, '2d'],
    [2 * 86400 + 3 * 3600, '2d3h'], [30 * 86400, '30d'], [3 * 365 * 86400, '3y'], [3 * 365 * 86400 + 10 * 86400, '3y10d'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s * 1000), want, `${s}s`);
  assert.equal(humanDuration(-5000), '<invalid>');
});

function pod(status: any, spec: any = {}, meta: any = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(65), ...meta },
    spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
    status,
  };
}

const statusOf = (p: KubeObject) => podCells(p, NOW)[2];

test('pod STATUS column', () => {
  assert.equal(statusOf(pod({ phase: 'Pending' })), 'Pending');
  assert.equal(statusOf(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] })), 'ContainerCreating');
  assert.equal(statusOf(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }] })), 'ErrImagePull');
  assert.equal(statusOf(pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }] })), 'Running');
  assert.equal(statusOf(pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] })), 'CrashLoopBackOff');
  assert.equal(statusOf(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })), 'Completed');
  assert.equal(statusOf(pod({ phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] })), 'ExitCode:2');
  assert.equal(statusOf(pod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] }, {}, { deletionTimestamp: ago(1) })), 'Terminating');
  const withInit = { initContainers: [{ name: 'init', image: 'x' }] };
  assert.equal(statusOf(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: {} } }] }, withInit)), 'Init:0/1');
  assert.equal(statusOf(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, withInit)), 'Init:CrashLoopBackOff');
  assert.equal(statusOf(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, withInit)), 'Init:Error');
});

test('pod READY, RESTARTS with the last restart, AGE and the wide columns', () => {
  const p = pod(
    {
      phase: 'Running',
      podIP: '10.213.0.7',
      podIPs: [{ ip: '10.213.0.7' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(125) } } },
      ],
    },
    { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'node-1' },
  );
  assert.deepEqual(podCells(p, NOW), ['p', '2/2', 'Running', '2 (2m5s ago)', '65s', '10.213.0.7', 'node-1', '<none>', '<none>']);
});

test('pod Table: columns, PartialObjectMetadata rows, resourceVersion', () => {
  const t = toTable('pods', [pod({ phase: 'Pending' }, {}, { resourceVersion: '42', labels: { app: 'x' } })], { version: 'v1', includeObject: 'Metadata', resourceVersion: '50', now: NOW }) as any;
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.equal(t.metadata.resourceVersion, '50');
  assert.deepEqual(
    t.columnDefinitions.map((c: any) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
  );
  assert.equal(t.columnDefinitions[0].format, 'name');
  const row = t.rows[0];
  assert.deepEqual(row.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(65), resourceVersion: '42', labels: { app: 'x' } } });
  const full = toTable('pods', [pod({ phase: 'Pending' })], { version: 'v1', includeObject: 'Object', now: NOW }) as any;
  assert.equal(full.rows[0].object.kind, 'Pod');
  const noHeaders = toTable('pods', [pod({ phase: 'Pending' })], { version: 'v1', includeObject: 'Metadata', noHeaders: true }) as any;
  assert.equal(noHeaders.columnDefinitions, null);
});

test('node STATUS, ROLES and wide columns', () => {
  const node: KubeObject = {
    metadata: { name: 'n1', creationTimestamp: ago(3 * 86400), labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '10.213.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-k8ts', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'docker://20.10' },
    },
  };
  const t = toTable('nodes', [node], { version: 'v1', includeObject: 'Metadata', now: NOW }) as any;
  assert.deepEqual(t.rows[0].cells, ['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '3d', 'v1.32.0-k8ts', '10.213.0.2', '<none>', 'Debian', '6.1', 'docker://20.10']);
  const notReady = toTable('nodes', [{ ...node, spec: {}, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] }, metadata: { name: 'n2' } }], { version: 'v1', includeObject: 'None', now: NOW }) as any;
  assert.deepEqual(notReady.rows[0].cells.slice(0, 3), ['n2', 'NotReady', '<none>']);
  assert.equal(notReady.rows[0].object, undefined);
});

test('services, deployments, replicasets, endpoints, events, configmaps, secrets', () => {
  const cells = (resource: string, obj: any) => (toTable(resource, [obj], { version: 'v1', includeObject: 'None', now: NOW }) as any).rows[0].cells;
  assert.deepEqual(
    cells('services', { metadata: { name: 's', creationTimestamp: ago(10) }, spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } }),
    ['s', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '10s', 'a=1,b=2'],
  );
  assert.equal(cells('services', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [] } })[3], '<pending>');
  assert.deepEqual(
    cells('deployments', { metadata: { name: 'd', creationTimestamp: ago(200) }, spec: { replicas: 3, selector: { matchLabels: { app: 'd' } }, template: { spec: { containers: [{ name: 'c1', image: 'i1' }, { name: 'c2', image: 'i2' }] } } }, status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } }),
    ['d', '1/3', 2, 1, '3m20s', 'c1,c2', 'i1,i2', 'app=d'],
  );
  assert.deepEqual(cells('replicasets', { metadata: { name: 'r' }, spec: { replicas: 2, selector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['qa', 'dev'] }] } }, status: { replicas: 2, readyReplicas: 1 } }).slice(0, 4), ['r', 2, 2, 1]);
  assert.equal(cells('replicasets', { metadata: { name: 'r' }, spec: { selector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['qa', 'dev'] }] } } })[7], 'a=b,env in (dev,qa)');
  assert.equal(
    cells('endpoints', { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] })[1],
    '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...',
  );
  assert.equal(cells('endpoints', { metadata: { name: 'e' } })[1], '<none>');
  assert.deepEqual(
    cells('events', { metadata: { name: 'p.1' }, type: 'Warning', reason: 'BackOff', message: ' Back-off restarting ', involvedObject: { kind: 'Pod', name: 'p' }, firstTimestamp: ago(300), lastTimestamp: ago(5), count: 7, source: { component: 'kubelet', host: 'n1' } }),
    ['5s', 'Warning', 'BackOff', 'pod/p', '', 'kubelet, n1', 'Back-off restarting', '5m', 7, 'p.1'],
  );
  assert.deepEqual(cells('configmaps', { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }).slice(0, 2), ['c', 3]);
  assert.deepEqual(cells('secrets', { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }).slice(0, 3), ['s', 'kubernetes.io/tls', 2]);
  assert.deepEqual(cells('leases', { metadata: { name: 'l' }, spec: { holderIdentity: 'me' } }).slice(0, 2), ['l', 'me']);
  assert.deepEqual(cells('namespaces', { metadata: { name: 'n', creationTimestamp: ago(1) }, status: { phase: 'Terminating' } }), ['n', 'Terminating', '1s']);
});

test('jobs and cronjobs', () => {
  const cells = (resource: string, obj: any) => (toTable(resource, [obj], { version: 'v1', includeObject: 'None', now: NOW }) as any).rows[0].cells;
  assert.deepEqual(
    cells('jobs', { metadata: { name: 'j', creationTimestamp: ago(70) }, spec: { completions: 3, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { succeeded: 3, startTime: ago(60), completionTime: ago(20), conditions: [{ type: 'Complete', status: 'True' }] } }),
    ['j', 'Complete', '3/3', '40s', '70s', 'c', 'i', '<none>'],
  );
  assert.deepEqual(
    cells('cronjobs', { metadata: { name: 'cj', creationTimestamp: ago(70) }, spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [] } } } } }, status: { active: [{}], lastScheduleTime: ago(30) } }).slice(0, 7),
    ['cj', '*/5 * * * *', '<none>', 'False', 1, '30s', '70s'],
  );
});

test('poddisruptionbudgets, resourcequotas and limitranges print upstream columns', () => {
  const table = (resource: string, obj: any) => toTable(resource, [obj], { version: 'v1', includeObject: 'None', now: NOW }) as any;
  const pdb = table('poddisruptionbudgets', { metadata: { name: 'web', creationTimestamp: ago(5) }, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 0 } });
  assert.deepEqual(pdb.columnDefinitions.map((c: any) => c.name), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  assert.deepEqual(pdb.rows[0].cells, ['web', '2', 'N/A', 0, '5s']);
  const q = table('resourcequotas', {
    metadata: { name: 'q', creationTimestamp: ago(5) },
    spec: { hard: { pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' } },
    status: { hard: { pods: '2', 'requests.cpu': '1', 'limits.memory': '1Gi' }, used: { pods: '1', 'requests.cpu': '500m' } },
  });
  assert.deepEqual(q.columnDefinitions.map((c: any) => c.name), ['Name', 'Age', 'Request', 'Limit']);
  assert.deepEqual(q.rows[0].cells, ['q', '5s', 'pods: 1/2, requests.cpu: 500m/1', 'limits.memory: 0/1Gi']);
  const lr = table('limitranges', { metadata: { name: 'l', creationTimestamp: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(lr.rows[0].cells, ['l', '2026-01-01T00:00:00Z']);
});
