import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyConfiguration,
  ApplyConflictError,
  compare,
  difference,
  fieldSetOf,
  intersection,
  managerFromUserAgent,
  members,
  pathString,
  recordUpdate,
  rootType,
  union,
  type ApplyContext,
  type WriteContext,
} from './index.js';

const DEPLOY = rootType('apps/v1', 'Deployment');
const T0 = '2026-12-06T00:00:00Z';
const T1 = '2026-12-06T00:00:01Z';

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', labels: { app: 'web' }, finalizers: ['a/b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1' }], volumes: [{ name: 'v', emptyDir: {} }] },
      },
    },
  };
}

const update = (manager: string, now = T0): WriteContext => ({ apiVersion: 'apps/v1', kind: 'Deployment', manager, subresource: '', part: 'main', now });
const apply = (manager: string, force = false, now = T1): ApplyContext => ({ ...update(manager, now), force });
const paths = (s: any) => members(s).map(pathString);

test('field set of an object: fields by name, list maps by key, sets by value; server fields left out', () => {
  const s: any = fieldSetOf(deployment(), DEPLOY, 'main');
  assert.deepEqual(s['f:metadata'], { 'f:labels': { 'f:app': {} }, 'f:finalizers': { 'v:"a/b"': {} } });
  assert.deepEqual(s['f:spec']['f:replicas'], {});
  assert.deepEqual(s['f:spec']['f:template']['f:spec']['f:containers'], { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {} } });
  // volumes is an atomic list until the schema marks it (a leaf either way holds emptyDir).
  assert.ok(s['f:spec']['f:template']['f:spec']['f:volumes']);
  // LabelSelector is +structType=atomic: owned whole.
  assert.deepEqual(s['f:spec']['f:selector'], {});
  assert.equal(s['f:apiVersion'], undefined);
  assert.equal(s['f:status'], undefined);
  assert.deepEqual(paths({ 'f:spec': s['f:spec']['f:template']['f:spec'] }).slice(0, 3), ['.spec.containers[name="web"]', '.spec.containers[name="web"].image', '.spec.containers[name="web"].name']);
});

test('set operations keep the FieldsV1 form: "." only beside children, no empty non-members', () => {
  const a = { 'f:spec': { 'f:replicas': {}, 'f:paused': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } };
  const b = { 'f:spec': { 'f:replicas': {} } };
  assert.deepEqual(difference(a, b), { 'f:spec': { 'f:paused': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } });
  assert.deepEqual(intersection(a, b), b);
  assert.deepEqual(difference(a, a), {});
  const item = { 'f:c': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } } };
  assert.deepEqual(difference(item, { 'f:c': { 'k:{"name":"a"}': {} } }), { 'f:c': { 'k:{"name":"a"}': { 'f:image': {} } } });
  assert.deepEqual(union({ 'f:c': { 'k:{"name":"a"}': { 'f:image': {} } } }, { 'f:c': { 'k:{"name":"a"}': {} } }), item);
});

test('compare: modified and added in changed, gone in removed; list items by key', () => {
  const a = deployment();
  const b = deployment();
  b.spec.replicas = 3;
  b.spec.template.spec.containers.push({ name: 'side', image: 'busybox' });
  delete b.metadata.labels;
  const c = compare(a, b, DEPLOY, 'main');
  assert.deepEqual(paths(c.changed).sort(), ['.spec.replicas', '.spec.template.spec.containers[name="side"]', '.spec.template.spec.containers[name="side"].image', '.spec.template.spec.containers[name="side"].name'].sort());
  assert.deepEqual(paths(c.removed), ['.metadata.labels.app']);
});

test('create, then an update by another manager: ownership of the changed field moves', () => {
  const created = deployment();
  recordUpdate(undefined, created, update('kubectl-create'));
  assert.equal(created.metadata.managedFields.length, 1);
  const e = created.metadata.managedFields[0];
  assert.deepEqual({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: e.fieldsType }, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1' });
  assert.ok(e.fieldsV1['f:spec']['f:replicas']);

  const scaled = structuredClone(created);
  scaled.spec.replicas = 5;
  recordUpdate(created, scaled, update('kubectl-scale', T1));
  const [mine, theirs] = scaled.metadata.managedFields;
  assert.equal(mine.manager, 'kubectl-create');
  assert.equal(mine.fieldsV1['f:spec']['f:replicas'], undefined, 'the creator lost replicas');
  assert.equal(mine.time, T0);
  assert.equal(theirs.manager, 'kubectl-scale');
  assert.deepEqual(theirs.fieldsV1, { 'f:spec': { 'f:replicas': {} } });

  // A write that changes nothing keeps the list as it was.
  const same = structuredClone(scaled);
  delete same.metadata.managedFields;
  recordUpdate(scaled, same, update('other', T1));
  assert.equal(same.metadata.managedFields, scaled.metadata.managedFields);
});

test('an update may set managedFields itself, or reset them with []', () => {
  const live = deployment();
  recordUpdate(undefined, live, update('a'));
  const edited = structuredClone(live);
  edited.metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  recordUpdate(live, edited, update('b'));
  assert.deepEqual(edited.metadata.managedFields.map((m: any) => m.manager), ['kubectl']);
  const reset = structuredClone(live);
  reset.metadata.managedFields = [];
  recordUpdate(live, reset, update('b'));
  assert.equal(reset.metadata.managedFields, undefined);
  // Garbage is ignored: the live entries stay.
  const bad = structuredClone(live);
  bad.metadata.managedFields = [{ manager: 'x', operation: 'Steal', fieldsType: 'FieldsV1', fieldsV1: {} }];
  recordUpdate(live, bad, update('b'));
  assert.deepEqual(bad.metadata.managedFields, live.metadata.managedFields);
  const bad2 = structuredClone(live);
  bad2.metadata.managedFields = [{ manager: 'x', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { nope: {} } }];
  recordUpdate(live, bad2, update('b'));
  assert.deepEqual(bad2.metadata.managedFields, live.metadata.managedFields);
});

function config(replicas: number, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', ...extra } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
  };
}

test('apply creates, owns exactly the applied set, and a second apply by the same manager changes values', () => {
  const created = applyConfiguration(undefined, config(2), apply('alice'));
  const [e] = created.metadata.managedFields;
  assert.deepEqual({ manager: e.manager, operation: e.operation, time: e.time }, { manager: 'alice', operation: 'Apply', time: T1 });
  assert.equal(e.apiVersion, 'apps/v1');
  assert.deepEqual(e.fieldsV1['f:spec']['f:replicas'], {});
  assert.equal(e.fieldsV1['f:metadata']['f:name'], undefined);
  const again = applyConfiguration(created, config(4), apply('alice'));
  assert.equal(again.spec.replicas, 4);
  assert.equal(created.spec.replicas, 2, 'the live object is left alone');
});

test('apply: a field another manager owns with another value is a 409 naming manager and field; force takes it', () => {
  const live = applyConfiguration(undefined, config(2), apply('alice'));
  // bob applies the same replicas: shared ownership, no conflict.
  const shared = applyConfiguration(live, config(2), apply('bob'));
  assert.deepEqual(shared.metadata.managedFields.map((m: any) => m.manager).sort(), ['alice', 'bob']);
  let err: unknown;
  try {
    applyConfiguration(shared, config(3), apply('bob'));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ApplyConflictError);
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.equal((err.status as any).reason, 'Conflict');
  assert.deepEqual((err.status as any).details.causes, [{ type: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
  const forced = applyConfiguration(shared, config(3), apply('bob', true));
  assert.equal(forced.spec.replicas, 3);
  const alice = forced.metadata.managedFields.find((m: any) => m.manager === 'alice');
  assert.equal(alice.fieldsV1['f:spec']['f:replicas'], undefined, 'alice lost replicas');
});

test('apply: conflicts with an Update manager name its apiVersion; several are counted', () => {
  const live = deployment();
  recordUpdate(undefined, live, update('kubectl-client-side-apply'));
  const c = config(7);
  c.spec.template.spec.containers[0].image = 'nginx:2';
  assert.throws(
    () => applyConfiguration(live, c, apply('kubectl')),
    (e: any) =>
      e instanceof ApplyConflictError &&
      e.message === 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
  );
});

test('apply: a field dropped from the configuration is removed, unless another manager owns it', () => {
  let live = applyConfiguration(undefined, config(2, { tier: 'front', team: 'a' }), apply('alice'));
  live = applyConfiguration(live, config(2, { team: 'a' }), apply('bob'));
  const after = applyConfiguration(live, config(2), apply('alice'));
  assert.deepEqual(after.metadata.labels, { app: 'web', team: 'a' }, 'tier removed, team kept for bob');
  const c = config(2);
  delete c.spec.replicas;
  const noReplicas = applyConfiguration(after, c, apply('alice'));
  // bob applied replicas too, so it stays.
  assert.equal(noReplicas.spec.replicas, 2);
  const d = config(2);
  d.spec.template.spec.containers.push({ name: 'side', image: 'busybox' });
  const two = applyConfiguration(noReplicas, d, apply('alice'));
  assert.deepEqual(two.spec.template.spec.containers.map((x: any) => x.name), ['web', 'side']);
  const one = applyConfiguration(two, c, apply('alice'));
  assert.deepEqual(one.spec.template.spec.containers.map((x: any) => x.name), ['web']);
});

test('apply merges list maps by key and keeps items others added, in order', () => {
  const live = deployment();
  live.spec.template.spec.containers = [{ name: 'a', image: '1' }, { name: 'b', image: '1' }, { name: 'c', image: '1' }];
  const c = config(2);
  c.spec.template.spec.containers = [{ name: 'c', image: '2' }, { name: 'd', image: '2' }];
  const out = applyConfiguration(live, c, apply('x', true));
  assert.deepEqual(out.spec.template.spec.containers.map((x: any) => `${x.name}${x.image}`), ['a1', 'b1', 'c2', 'd2']);
  const dup = config(2);
  dup.spec.template.spec.containers = [{ name: 'c' }, { name: 'c' }];
  assert.throws(() => applyConfiguration(live, dup, apply('x', true)), (e: any) => e.code === 422);
  const nokey = config(2);
  nokey.spec.template.spec.containers = [{ image: 'x' }];
  assert.throws(() => applyConfiguration(live, nokey, apply('x', true)), (e: any) => e.code === 422);
});

test('kubectl --server-side over client-side apply: fields the last-applied annotation explains are taken without force, and the annotation follows', () => {
  const live = deployment();
  const last = config(2);
  live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(last) };
  recordUpdate(undefined, live, update('kubectl-client-side-apply'));
  const out = applyConfiguration(live, config(5), apply('kubectl'));
  assert.equal(out.spec.replicas, 5);
  assert.equal(JSON.parse(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec.replicas, 5);
  // Someone else changed replicas since: the annotation no longer explains it.
  const drifted = structuredClone(live);
  drifted.spec.replicas = 9;
  assert.throws(() => applyConfiguration(drifted, config(5), apply('kubectl')), ApplyConflictError);
  // Another manager name gets no such help.
  assert.throws(() => applyConfiguration(live, config(5), apply('other')), ApplyConflictError);
});

test('apply refuses managedFields in the configuration', () => {
  const c = config(1);
  c.metadata.managedFields = [];
  assert.throws(() => applyConfiguration(undefined, c, apply('x')), (e: any) => e.code === 400);
});

test('manager from the User-Agent: the part before the first slash', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent('kube-controller-manager/v1.32.0'), 'kube-controller-manager');
  assert.equal(managerFromUserAgent('x\u0000y'), 'xy');
  assert.equal(managerFromUserAgent('a'.repeat(300)).length, 128);
  assert.equal(managerFromUserAgent(undefined), '');
});

test('apply: sets merge by value and drop what the manager stopped applying; atomic lists are replaced whole', () => {
  const c = config(1);
  c.metadata.finalizers = ['a/one', 'a/two'];
  c.spec.template.spec.containers[0].command = ['sleep', '1'];
  let live = applyConfiguration(undefined, c, apply('alice'));
  const withOther = structuredClone(live);
  withOther.metadata.finalizers.push('b/three');
  recordUpdate(live, withOther, update('bob'));
  live = withOther;
  const c2 = config(1);
  c2.metadata.finalizers = ['a/two'];
  c2.spec.template.spec.containers[0].command = ['sleep'];
  const out = applyConfiguration(live, c2, apply('alice'));
  assert.deepEqual(out.metadata.finalizers, ['a/two', 'b/three']);
  assert.deepEqual(out.spec.template.spec.containers[0].command, ['sleep']);
  const alice = out.metadata.managedFields.find((m: any) => m.manager === 'alice');
  assert.deepEqual(alice.fieldsV1['f:metadata']['f:finalizers'], { 'v:"a/two"': {} });
  assert.deepEqual(alice.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:command'], {});
});

test('apply to the main resource owns no status; apply to status owns only status', () => {
  const c = config(1);
  c.status = { replicas: 4 };
  const main = applyConfiguration(undefined, c, apply('alice'));
  assert.equal(main.metadata.managedFields[0].fieldsV1['f:status'], undefined);
  const statusCtx: ApplyContext = { ...apply('controller'), subresource: 'status', part: 'status' };
  const st = applyConfiguration(main, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 1 } }, statusCtx);
  const entry = st.metadata.managedFields.find((m: any) => m.manager === 'controller');
  assert.equal(entry.subresource, 'status');
  assert.deepEqual(entry.fieldsV1, { 'f:status': { 'f:replicas': {} } });
  assert.equal(st.status.replicas, 1);
});

test('an applier that re-applies the same values changes nothing and keeps its entry as it was', () => {
  const live = applyConfiguration(undefined, config(2), apply('alice', false, T0));
  const again = applyConfiguration(live, config(2), apply('alice', false, T1));
  assert.deepEqual(again, live);
});

test('past 10 Update managers the oldest merge into ancient-changes', () => {
  let live = deployment();
  recordUpdate(undefined, live, update('m0', '2026-12-06T00:00:00Z'));
  for (let i = 1; i <= 12; i++) {
    const next = structuredClone(live);
    next.metadata.labels[`l${i}`] = 'x';
    recordUpdate(live, next, update(`m${i}`, `2026-12-06T00:00:${String(i).padStart(2, '0')}Z`));
    live = next;
  }
  const names = live.metadata.managedFields.map((m: any) => m.manager);
  assert.equal(names.length, 10);
  assert.ok(names.includes('ancient-changes'));
  assert.ok(!names.includes('m0') && !names.includes('m1'));
  assert.ok(names.includes('m12'));
  const bucket = live.metadata.managedFields.find((m: any) => m.manager === 'ancient-changes');
  assert.ok(bucket.fieldsV1['f:spec'], 'the creator’s fields live on in the bucket');
  assert.ok(bucket.fieldsV1['f:metadata']['f:labels']['f:l1']);
});

test('ownerReferences: a list map by uid of atomic items', () => {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u-1', controller: true }] } };
  const s: any = fieldSetOf(rs, rootType('apps/v1', 'ReplicaSet'), 'main');
  assert.deepEqual(s['f:metadata']['f:ownerReferences'], { 'k:{"uid":"u-1"}': {} });
});
