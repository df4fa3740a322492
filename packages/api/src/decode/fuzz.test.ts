// Whatever a client sends, what the decoder lets through must not crash defaulting or
// validation (a 5xx): random type changes of valid objects, with a fixed seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, DecodeError } from './index.js';
import { kindSchema } from '../schema/schema.js';
import { findResource } from '../resources.js';
import { applyDefaults, prepareForCreate } from '../defaults.js';
import { validate } from '../validation/index.js';

let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
const values = () => pick<unknown>([null, 0, 1.5, -1, 2 ** 31, 1e308, '', 'x', '80', true, [], [null], {}, { a: 1 }, ['x'], [{}], '100m', '2026-01-01T00:00:00Z']);
const samples: Record<string, any> = {
  pods: { metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '1' } }, livenessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: 'v', configMap: { name: 'c' } }], tolerations: [{ key: 'k' }] } },
  deployments: { metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, strategy: { rollingUpdate: { maxSurge: 1 } } } },
  services: { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: 'http' }], selector: { a: 'b' } } },
  jobs: { metadata: { name: 'j', namespace: 'default', uid: 'u' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } } } },
  cronjobs: { metadata: { name: 'j', namespace: 'default' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } } } } } },
  configmaps: { metadata: { name: 'c', namespace: 'default' }, data: { a: 'b' } },
  nodes: { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '2' } } },
  endpointslices: { metadata: { name: 'e', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['1.2.3.4'] }], ports: [{ port: 80 }] },
  leases: { metadata: { name: 'l', namespace: 'default' }, spec: { holderIdentity: 'x', renewTime: '2026-01-01T00:00:00.000000Z' } },
  events: { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'x', count: 1 },
};
/** Every path in `v` (keys and indices), the root's included. */
function paths(v: any, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(p);
  if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...p, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** A copy of `sample` with one to three values replaced by values of random types. */
function mutate(sample: unknown): any {
  const obj = structuredClone(sample) as any;
  const ps = paths(obj).filter((p) => p.length);
  for (let m = 0; m < 1 + Math.floor(rnd() * 3); m++) {
    const p = pick(ps);
    let parent: any = obj;
    for (const s of p.slice(0, -1)) parent = parent?.[s];
    if (parent && typeof parent === 'object') parent[p[p.length - 1]!] = values();
  }
  return obj;
}

test('decoded objects never crash defaults or validation', () => {
  let decoded = 0;
  let refused = 0;
  for (const [resource, sample] of Object.entries(samples)) {
    const info = findResource(resource)!;
    const schema = kindSchema(info.group, info.version, info.kind)!;
    for (let i = 0; i < 400; i++) {
      const obj = mutate(sample);
      const before = JSON.stringify(obj);
      try {
        decodeObject(schema, obj, { fieldValidation: 'Warn' });
      } catch (e) {
        if (!(e instanceof DecodeError)) assert.fail(`decode threw ${String(e)} on ${resource} ${before}`);
        refused++;
        continue;
      }
      decoded++;
      try {
        prepareForCreate(resource, obj);
        applyDefaults(resource, obj);
        validate(resource, obj);
      } catch (e) {
        assert.fail(`${String(e)} after decoding ${resource} ${before}`);
      }
    }
  }
  assert.ok(decoded > 100 && refused > 100, `decoded ${decoded}, refused ${refused}`);
});
