import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindSchema, messageSchema, metaSchema, protoRoot, RESOURCES } from '@k8ts/api';

// apiextensions' CustomResourceDefinition has no proto in kubectl's descriptors: JSON only, as for custom kinds.
const PROTO_RESOURCES = RESOURCES.filter((r) => r.resource !== 'customresourcedefinitions' && !r.custom);
import { ApiError } from '@k8ts/client';
import { decodeProtobufObject, encodeProtobufObject } from './envelope.js';
import { decodeFields } from './decode-message.js';
import { encodeMessage } from './encode-message.js';
import { WireReader } from './wire.js';
import { leafCount, populate } from './populate.test-helper.js';

const is400 = (e: unknown) => e instanceof ApiError && e.code === 400;

/** runtime.Unknown's field 1: TypeMeta{apiVersion = 1, kind = 2}. */
function typeMetaBytes(apiVersion: string, kind: string): Buffer {
  const inner = Buffer.concat([Buffer.from([0x0a, apiVersion.length]), Buffer.from(apiVersion), Buffer.from([0x12, kind.length]), Buffer.from(kind)]);
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
}

function roundTrip(obj: Record<string, unknown>): Record<string, unknown> {
  return decodeProtobufObject(encodeProtobufObject(obj));
}

const KINDS: [string, string, string][] = [
  ['', 'v1', 'Pod'],
  ['apps', 'v1', 'Deployment'],
  ['batch', 'v1', 'Job'],
  ['batch', 'v1', 'CronJob'],
  ['', 'v1', 'Service'],
];

for (const [group, version, kind] of KINDS) {
  test(`every field of ${kind} survives a protobuf round trip`, () => {
    const schema = kindSchema(group, version, kind)!;
    const obj = { apiVersion: group ? `${group}/${version}` : version, kind, ...populate(schema.name) };
    assert.ok(leafCount(obj) > (kind === 'Service' ? 60 : 400), `${kind} has ${leafCount(obj)} values`);
    assert.deepEqual(roundTrip(obj), obj);
  });
}

test('every field of DeleteOptions survives a round trip, under any group version', () => {
  for (const apiVersion of ['v1', 'apps/v1', 'batch/v1', 'meta.k8s.io/v1']) {
    const obj = { apiVersion, kind: 'DeleteOptions', ...populate(metaSchema('DeleteOptions')!.name) };
    assert.deepEqual(roundTrip(obj), obj);
  }
});

test('every kind k8ts serves, and the option types, round-trip fully populated', () => {
  for (const r of PROTO_RESOURCES) {
    const schema = kindSchema(r.group, r.version, r.kind)!;
    const obj = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...populate(schema.name) };
    assert.deepEqual(roundTrip(obj), obj, r.kind);
    if (r.virtual) continue; // create-only, never listed: upstream has no List kind for it
    const list = { apiVersion: obj.apiVersion, kind: r.listKind, metadata: { resourceVersion: '12', continue: 'c', remainingItemCount: 3 }, items: [populate(schema.name)] };
    assert.deepEqual(roundTrip(list), list, r.listKind);
  }
  // The bodies of the object subresources: eviction, binding, scale.
  for (const [apiVersion, kind, name] of [['policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction'], ['v1', 'Binding', 'k8s.io.api.core.v1.Binding'], ['autoscaling/v1', 'Scale', 'k8s.io.api.autoscaling.v1.Scale']]) {
    const obj = { apiVersion, kind, ...populate(name) };
    assert.deepEqual(roundTrip(obj), obj, kind);
  }
  for (const kind of ['CreateOptions', 'PatchOptions', 'UpdateOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent']) {
    const obj = { apiVersion: 'v1', kind, ...populate(metaSchema(kind)!.name) };
    assert.deepEqual(roundTrip(obj), obj, kind);
  }
});

test('the wire format agrees with protobufjs both ways, for every served kind', () => {
  // An independent implementation of the same descriptors: it must read what we write, and
  // what it writes we must read back to the same object.
  for (const r of PROTO_RESOURCES) {
    const schema = kindSchema(r.group, r.version, r.kind)!;
    const obj = populate(schema.name);
    const ours = encodeMessage(schema, obj);
    const type = protoRoot().lookupType(schema.name);
    const theirs = type.encode(type.decode(ours)).finish();
    assert.deepEqual(decodeFields(schema, new WireReader(theirs), 0, false), obj, r.kind);
  }
  const pod = populate('k8s.io.api.core.v1.Pod') as any;
  const type = protoRoot().lookupType('k8s.io.api.core.v1.Pod');
  const decoded = type.toObject(type.decode(encodeMessage(messageSchema('k8s.io.api.core.v1.Pod')!, pod)), { longs: Number }) as any;
  assert.equal(decoded.spec.securityContext.runAsUser, pod.spec.securityContext.runAsUser);
  assert.equal(decoded.spec.volumes[0].volumeSource.hostPath.path, pod.spec.volumes[0].hostPath.path);
});

test('Go zero values: kept for pointers and fields without omitempty, dropped otherwise', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', deletionGracePeriodSeconds: 0 },
    spec: {
      containers: [{ name: 'c', image: 'i', securityContext: { runAsUser: 0, privileged: false }, ports: [{ containerPort: 0 }], stdin: false, workingDir: '' }],
      securityContext: { runAsNonRoot: false, fsGroup: 0 },
      automountServiceAccountToken: false,
      hostNetwork: false,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ key: '', operator: 'Exists', tolerationSeconds: 0 }],
      volumes: [{ name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: '/', type: '' } }],
      nodeSelector: { empty: '' },
    },
    status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0, signal: 0 } } }] },
  };
  const back = roundTrip(pod) as any;
  assert.deepEqual(back.metadata, { name: 'p', deletionGracePeriodSeconds: 0 });
  const c = back.spec.containers[0];
  assert.deepEqual(c.securityContext, { runAsUser: 0, privileged: false });
  assert.deepEqual(c.ports, [{ containerPort: 0 }]);
  assert.equal('stdin' in c, false);
  assert.equal('workingDir' in c, false);
  assert.deepEqual(back.spec.securityContext, { runAsNonRoot: false, fsGroup: 0 });
  assert.equal(back.spec.automountServiceAccountToken, false);
  assert.equal('hostNetwork' in back.spec, false);
  assert.equal(back.spec.terminationGracePeriodSeconds, 0);
  assert.deepEqual(back.spec.tolerations, [{ operator: 'Exists', tolerationSeconds: 0 }]);
  assert.deepEqual(back.spec.volumes, [{ name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: '/', type: '' } }]);
  assert.deepEqual(back.spec.nodeSelector, { empty: '' }, 'map values are kept, even empty');
  assert.deepEqual(back.status.containerStatuses[0], { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } });
});

test("inline fields (the schema's marker) are nested in proto and flat in JSON", () => {
  // IngressRule.ingressRuleValue: an entry the codec once listed alone, now a schema annotation
  const rule = messageSchema('k8s.io.api.networking.v1.IngressRule')!;
  const json = { host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } };
  const bytes = encodeMessage(rule, json);
  const type = protoRoot().lookupType('k8s.io.api.networking.v1.IngressRule');
  const nested = type.toObject(type.decode(bytes)) as any;
  assert.equal(nested.ingressRuleValue.http.paths[0].path, '/');
  assert.deepEqual(decodeFields(rule, new WireReader(bytes), 0, false), json);
  const pod = roundTrip({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { volumes: [{ name: 'v', configMap: { name: 'cm', optional: false } }], containers: [{ name: 'c', readinessProbe: { httpGet: { port: 80 }, periodSeconds: 3 }, env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] } }) as any;
  assert.deepEqual(pod.spec.volumes, [{ name: 'v', configMap: { name: 'cm', optional: false } }]);
  assert.deepEqual(pod.spec.containers[0].readinessProbe, { httpGet: { port: 80 }, periodSeconds: 3 });
  assert.deepEqual(pod.spec.containers[0].env[0].valueFrom, { secretKeyRef: { name: 's', key: 'k' } });
});

test('special JSON forms: times, durations, quantities, int-or-string, raw JSON', () => {
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', creationTimestamp: '2024-01-02T03:04:05Z' }, spec: { renewTime: '2024-01-02T03:04:05.000007Z', leaseDurationSeconds: 0 } };
  assert.deepEqual(roundTrip(lease), lease);
  // Time keeps seconds only, as Go's Unmarshal does; an offset becomes UTC.
  const t = roundTrip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', creationTimestamp: '2024-01-02T05:04:05.9+02:00' } }) as any;
  assert.equal(t.metadata.creationTimestamp, '2024-01-02T03:04:05Z');
  const svc = roundTrip({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'web' }, { port: 81, targetPort: 0 }] } }) as any;
  assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: 'web' }, { port: 81, targetPort: 0 }]);
  const q = roundTrip({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '0', memory: 1024 } } }] } }) as any;
  assert.deepEqual(q.spec.containers[0].resources.limits, { cpu: '0', memory: '1024' });
  const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { template: { x: [1, 'a', null] } } }, revision: 3 };
  assert.deepEqual(roundTrip(rev), rev);
});

test('an unknown field number is a 400 naming the type and number', () => {
  const good = encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
  // Append field 99 (varint 1) inside the ConfigMap message: its length prefix grows by 3.
  const configMap = encodeMessage(kindSchema('', 'v1', 'ConfigMap')!, { metadata: { name: 'cm' } });
  const withUnknown = Buffer.concat([configMap, Buffer.from([0x98, 0x06, 0x01])]);
  const typeMeta = typeMetaBytes('v1', 'ConfigMap');
  const body = Buffer.concat([Buffer.from('k8s\0'), typeMeta, Buffer.from([0x12, withUnknown.length]), withUnknown]);
  assert.deepEqual(decodeProtobufObject(good), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
  assert.throws(
    () => decodeProtobufObject(body),
    (e: unknown) => is400(e) && /field number 99 .*k8s\.io\.api\.core\.v1\.ConfigMap/.test((e as Error).message),
  );
  // Deep inside: a PodSpec with field 4242.
  const spec = Buffer.concat([encodeMessage(messageSchema('k8s.io.api.core.v1.PodSpec')!, { nodeName: 'n' }), Buffer.from([0x90, 0x89, 0x02, 0x05])]);
  const pod = Buffer.concat([Buffer.from([0x12, spec.length]), spec]);
  const tm = typeMetaBytes('v1', 'Pod');
  const podBody = Buffer.concat([Buffer.from('k8s\0'), tm, Buffer.from([0x12, pod.length]), pod]);
  assert.throws(() => decodeProtobufObject(podBody), (e: unknown) => is400(e) && /spec: field number 4242 .*PodSpec/.test((e as Error).message));
});

test('hostile bodies are 400s: truncation, wrong wire types, int64 beyond 2^53, bad JSON in raw fields', () => {
  const full = encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'Deployment', ...populate('k8s.io.api.apps.v1.Deployment') });
  for (let cut = 5; cut < full.length; cut += Math.ceil(full.length / 97)) {
    assert.throws(() => decodeProtobufObject(full.subarray(0, cut)), is400, `cut at ${cut}`);
  }
  const cm = (inner: number[]) => {
    const tm = [...typeMetaBytes('v1', 'ConfigMap')];
    return Buffer.from([...Buffer.from('k8s\0'), ...tm, 0x12, inner.length, ...inner]);
  };
  assert.deepEqual(decodeProtobufObject(cm([0x20, 0x00, 0x0a, 0x00])), { apiVersion: 'v1', kind: 'ConfigMap', immutable: false, metadata: {} });
  assert.throws(() => decodeProtobufObject(cm([0x22, 0x00])), is400, 'immutable (bool) with wire type 2');
  // ObjectMeta.generation = 2^60
  const big = [0x38, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
  assert.throws(() => decodeProtobufObject(cm([0x0a, big.length, ...big])), (e: unknown) => is400(e) && /beyond 2\^53/.test((e as Error).message));
  const job = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1 };
  const enc = Buffer.from(encodeProtobufObject({ ...job, data: { a: 1 } }));
  const i = enc.indexOf(Buffer.from('{"a":1}'));
  enc[i] = 0x78; // no longer JSON
  assert.throws(() => decodeProtobufObject(enc), is400);
  assert.throws(() => decodeProtobufObject(Buffer.from('k8s\0\x0a\xff\xff\xff\xff\x0f', 'latin1')), is400);
});

test('a map key "__proto__" is an own key, as in JSON', () => {
  const cm = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":"x","a":"b"}}');
  const back = roundTrip(cm) as any;
  assert.deepEqual(Object.keys(back.data), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(back.data), Object.prototype);
  assert.equal(JSON.stringify(back), JSON.stringify(cm));
});

test('negative numbers and 10-byte varints decode as Go writes them', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', generation: -5 }, spec: { priority: -2147483648, containers: [{ name: 'c', ports: [{ containerPort: -1, hostPort: 2147483647 }] }] } };
  assert.deepEqual(roundTrip(pod), pod);
});
