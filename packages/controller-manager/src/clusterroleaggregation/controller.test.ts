import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { ClusterRoleAggregationController, aggregatedRules } from './controller.js';
import { ctxFor, staticLister, FakeClient } from '../testing/fixtures.js';

const role = (name: string, labels: Record<string, string>, rules: object[], aggregate?: string): KubeObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels },
    rules,
    ...(aggregate ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregate]: 'true' } }] } } : {}),
  }) as KubeObject;

test('an aggregated ClusterRole gets the rules of the roles its selectors match, in name order, once each', async () => {
  const client = new FakeClient();
  const view = role('view', {}, [], 'rbac.authorization.k8s.io/aggregate-to-view');
  const b = role('b-extra', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [{ verbs: ['get'], apiGroups: ['x.io'], resources: ['widgets'] }]);
  const a = role('a-base', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: ['x.io'], resources: ['widgets'] }]);
  const other = role('other', { unrelated: 'true' }, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  assert.deepEqual(aggregatedRules(view as any, [view, b, a, other] as any), [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: ['x.io'], resources: ['widgets'] },
  ]);
  client.seed('clusterroles', view);
  const { ctx, queue } = ctxFor(client);
  const c = new ClusterRoleAggregationController(ctx, { clusterroles: staticLister([view, b, a, other]) as any }, queue);
  c.onClusterRole();
  await c.sync('view');
  const upd = client.actionsOf('update', 'clusterroles');
  assert.equal(upd.length, 1);
  assert.equal((upd[0]!.object as any).rules.length, 2);
  // not aggregated: left alone
  await c.sync('other');
  assert.equal(client.actionsOf('update', 'clusterroles').length, 1);
});
