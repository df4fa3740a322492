// Every printer over objects with any field of any wrong type: a table always comes out,
// one row per object with as many cells as columns; an object a printer cannot read gets a
// row with its name and "<unknown>", logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { toTable, printerFor } from './index.js';
import { capturedLogger } from '../../testing/captured-logger.js';

const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'x' } });
const container = { name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] };
const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } };
const conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }];

/** One realistic object per printer. */
const BASES: Record<string, any> = {
  pods: { spec: { containers: [container], nodeName: 'n1', readinessGates: [{ conditionType: 'x' }] }, status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], conditions, containerStatuses: [{ name: 'c', ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:00:00Z' } } }] } },
  nodes: { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { conditions, addresses: [{ type: 'InternalIP', address: '1.2.3.4' }], nodeInfo: { kubeletVersion: 'v1', osImage: 'x', kernelVersion: 'y', containerRuntimeVersion: 'z' } } },
  services: { spec: { type: 'NodePort', clusterIP: '10.96.0.1', externalIPs: ['1.1.1.1'], ports: [{ port: 80, nodePort: 30000, protocol: 'TCP' }], selector: { app: 'x' } }, status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } } },
  endpoints: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  endpointslices: { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] },
  deployments: { spec: { replicas: 2, selector: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }, template }, status: { replicas: 2, readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1, conditions } },
  replicasets: { spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template }, status: { replicas: 2, readyReplicas: 1 } },
  daemonsets: { spec: { selector: { matchLabels: { app: 'x' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { a: 'b' } } } }, status: { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 } },
  jobs: { spec: { completions: 1, template }, status: { succeeded: 1, startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:01:00Z', conditions: [{ type: 'Complete', status: 'True' }] } },
  cronjobs: { spec: { schedule: '* * * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'j' }], lastScheduleTime: '2026-01-01T00:00:00Z' } },
  namespaces: { status: { phase: 'Active' } },
  events: { type: 'Normal', reason: 'R', message: 'm', count: 2, involvedObject: { kind: 'Pod', name: 'p' }, source: { component: 'c' }, lastTimestamp: '2026-01-01T00:00:00Z', firstTimestamp: '2026-01-01T00:00:00Z' },
  configmaps: { data: { a: 'b' }, binaryData: { c: 'ZA==' } },
  secrets: { type: 'Opaque', data: { a: 'Yg==' } },
  leases: { spec: { holderIdentity: 'h', leaseDurationSeconds: 10 } },
  serviceaccounts: { secrets: [{ name: 's' }] },
  controllerrevisions: { revision: 1, data: {} },
  poddisruptionbudgets: { spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } }, status: { disruptionsAllowed: 1 } },
  resourcequotas: { spec: { hard: { pods: '2', 'limits.cpu': '1' } }, status: { hard: { pods: '2', 'limits.cpu': '1' }, used: { pods: '1', 'limits.cpu': '500m' } } },
  limitranges: { spec: { limits: [{ type: 'Container', default: { cpu: '1' } }] } },
};

const WRONG: unknown[] = [null, 'x', 1.5, -1, true, [], [1], [null], {}, { a: 1 }, 1e308];

/** Every path of obj (objects and arrays, to any depth), as key lists. */
function paths(obj: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (obj === null || typeof obj !== 'object') return [at];
  const out: (string | number)[][] = at.length ? [at] : [];
  for (const [k, v] of Object.entries(obj)) out.push(...paths(v, [...at, Array.isArray(obj) ? Number(k) : k]));
  return out;
}

function withValue(obj: any, path: (string | number)[], value: unknown): any {
  const copy = structuredClone(obj);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]!] = value;
  return copy;
}

test('every printer prints a row for every object however malformed, and logs the ones it could not read', () => {
  const { logger, lines } = capturedLogger();
  let objects = 0;
  for (const [resource, body] of Object.entries(BASES)) {
    const base = { apiVersion: 'v1', kind: 'X', metadata: meta('base'), ...body };
    const columns = printerFor(resource).columns.length;
    const variants: any[] = [];
    for (const p of paths(base)) for (const v of WRONG) variants.push(withValue(base, p, v));
    for (const p of ['spec', 'status', 'metadata']) variants.push(withValue(base, [p], undefined));
    variants.forEach((v, i) => {
      if (v.metadata && typeof v.metadata === 'object' && !Array.isArray(v.metadata)) v.metadata.name = `v${i}`;
    });
    for (const includeObject of ['None', 'Metadata', 'Object'] as const) {
      const t = toTable(resource, variants as KubeObject[], { version: 'v1', includeObject, logger }) as any;
      assert.equal(t.rows.length, variants.length, resource);
      for (const row of t.rows) assert.equal(row.cells.length, columns, `${resource}: ${JSON.stringify(row.cells)}`);
      assert.doesNotThrow(() => JSON.stringify(t));
    }
    objects += variants.length;
  }
  assert.ok(objects > 1000, `${objects} objects printed`);
  for (const l of lines) {
    assert.equal(l.msg, 'could not print an object as a table row');
    assert.ok(l.resource && l.err);
  }
});

test('a pod with conditions 1.5 or podIPs "x" (issue 12) prints, with its name', () => {
  const { logger } = capturedLogger();
  for (const status of [{ conditions: 1.5 }, { podIPs: 'x' }, { containerStatuses: 'x' }, { containerStatuses: [null] }]) {
    const p = { apiVersion: 'v1', kind: 'Pod', metadata: meta('p'), spec: { containers: [container] }, status } as unknown as KubeObject;
    const t = toTable('pods', [p], { version: 'v1', includeObject: 'Metadata', logger }) as any;
    assert.equal(t.rows[0].cells[0], 'p');
  }
});
