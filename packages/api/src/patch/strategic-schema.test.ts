// Strategic merge patch follows the schema's markers wherever a list sits, not a table of
// field names: these cases differ only by where the list is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from './index.js';

const SMP = 'application/strategic-merge-patch+json';

test('lists merge by their declared keys at any depth (init containers, volume mounts, status)', () => {
  const pod = {
    metadata: { name: 'p' },
    spec: {
      initContainers: [{ name: 'i', image: 'a', env: [{ name: 'A', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/a' }] }],
      topologySpreadConstraints: [{ topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 1 }],
      volumes: [{ name: 'v', emptyDir: {} }],
      tolerations: [{ key: 'a', operator: 'Exists' }],
    },
    status: { conditions: [{ type: 'Ready', status: 'False' }], podIPs: [{ ip: '10.0.0.1' }] },
  };
  const out: any = applyPatch(
    SMP,
    pod,
    JSON.stringify({
      spec: {
        initContainers: [{ name: 'i', env: [{ name: 'B', value: '2' }], volumeMounts: [{ mountPath: '/b', name: 'w' }] }],
        topologySpreadConstraints: [{ topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', maxSkew: 2 }],
        volumes: [{ name: 'w', configMap: { name: 'c' } }],
        tolerations: [{ key: 'b', operator: 'Exists' }],
      },
      status: { conditions: [{ type: 'PodScheduled', status: 'True' }], podIPs: [{ ip: '10.0.0.2' }] },
    }),
    'pods',
  );
  assert.deepEqual(out.spec.initContainers[0].env.map((e: any) => e.name), ['A', 'B']);
  assert.deepEqual(out.spec.initContainers[0].volumeMounts.map((e: any) => e.mountPath), ['/a', '/b']);
  assert.equal(out.spec.topologySpreadConstraints.length, 1);
  assert.equal(out.spec.topologySpreadConstraints[0].maxSkew, 2);
  assert.deepEqual(out.spec.volumes.map((v: any) => v.name), ['v', 'w']);
  assert.deepEqual(out.spec.tolerations, [{ key: 'b', operator: 'Exists' }], 'tolerations are atomic');
  assert.deepEqual(out.status.conditions.map((c: any) => c.type), ['Ready', 'PodScheduled']);
  assert.deepEqual(out.status.podIPs.map((c: any) => c.ip), ['10.0.0.1', '10.0.0.2']);
});

test('the same field name merges or is replaced by where it is (Service ports, Endpoints ports, node podCIDRs)', () => {
  const svc: any = applyPatch(SMP, { spec: { ports: [{ port: 80, protocol: 'TCP' }] } }, '{"spec":{"ports":[{"port":443,"protocol":"TCP"}]}}', 'services');
  assert.deepEqual(svc.spec.ports.map((p: any) => p.port), [80, 443]);
  const ep: any = applyPatch(SMP, { subsets: [{ ports: [{ port: 80 }] }] }, '{"subsets":[{"ports":[{"port":443}]}]}', 'endpoints');
  assert.deepEqual(ep.subsets, [{ ports: [{ port: 443 }] }], 'Endpoints subsets are atomic');
  const node: any = applyPatch(SMP, { spec: { podCIDRs: ['10.0.0.0/24'] } }, '{"spec":{"podCIDRs":["10.0.1.0/24"]}}', 'nodes');
  assert.deepEqual(node.spec.podCIDRs, ['10.0.0.0/24', '10.0.1.0/24'], 'podCIDRs: patchStrategy=merge on a set');
  const map: any = applyPatch(SMP, { data: { a: '1' } }, '{"data":{"b":"2"}}', 'configmaps');
  assert.deepEqual(map.data, { a: '1', b: '2' });
});
