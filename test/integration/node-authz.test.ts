// Node identities against a real apiserver over a real etcd: the Node authorizer (graph of the
// pods bound to each node), NodeRestriction admission on writes, and the Nodes.Connect tunnel
// held only under the caller's own name, all through the apiserver's --authorization-mode
// Node,RBAC chain. Then a real agent on Docker, running as system:node:<its name> with nothing
// but what the Node authorizer grants, runs a pod with a secret volume and is refused nothing
// (the apiserver's audit log of the nodes' requests, test/support/cluster-auth.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentDisconnectedAtAnnotation, type KubeObject, type Lease, type Pod } from '@k8ts/api';
import { ApiError, GrpcClient, createLogger } from '@k8ts/client';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeClusterAuth, type ClusterAuth } from '../support/cluster-auth.js';
import { AgentHarness, containerStatus, execIn, getPod, podSpec, waitFor } from './agent-harness.js';

const SUFFIX = Math.random().toString(36).slice(2, 7);
const A1 = `agent-1-${SUFFIX}`;
const A2 = `agent-2-${SUFFIX}`;
const PERMISSION_DENIED = 7;

let etcd: TestEtcd;
let api: ApiServer;
let auth: ClusterAuth;
let tmp: string;
let admin: GrpcClient;
let as1: GrpcClient;
let as2: GrpcClient;

async function forbidden(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 403, e.message);
    assert.equal(e.status.message, message);
    return true;
  });
}

const secret = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data: { value: Buffer.from(value).toString('base64') } }) as KubeObject;

before(async () => {
  etcd = await startEtcd();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-node-authz-'));
  auth = writeClusterAuth(tmp, { nodes: [A1, A2], adminUser: 'kubernetes-admin' });
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
  const server = `127.0.0.1:${api.grpcPort}`;
  admin = new GrpcClient({ server, token: auth.adminToken });
  as1 = new GrpcClient({ server, token: auth.componentToken('agent', A1) });
  as2 = new GrpcClient({ server, token: auth.componentToken('agent', A2) });
});

after(async () => {
  for (const c of [admin, as1, as2]) c?.close();
  await api?.stop();
  await etcd?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a node identity reaches only what its own pods use', () => {
  before(async () => {
    for (const n of [A1, A2]) {
      await (n === A1 ? as1 : as2).create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { 'kubernetes.io/hostname': n } }, spec: {} });
    }
    await admin.create('secrets', secret('only-a1', 'for agent-1'));
    await admin.create('pods', podSpec('on-a1', A1, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }], volumes: [{ name: 's', secret: { secretName: 'only-a1' } }] }));
    await admin.create('pods', podSpec('on-a2', A2, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36' }] }));
    await waitFor('the graph', () => as1.get('secrets', 'default', 'only-a1'), 5000, 20);
  });

  it("agent-2 cannot read a Secret used only by a pod on agent-1; agent-1 can", async () => {
    const denied = (verb: string, what: string, ns = ' in the namespace "default"') => `User "system:node:${A2}" cannot ${verb} resource "${what}" in API group ""${ns}`;
    await forbidden(as2.get('secrets', 'default', 'only-a1'), `secrets "only-a1" is forbidden: ${denied('get', 'secrets')}: no relationship found between node '${A2}' and this object`);
    await assert.rejects(as2.list('secrets', { namespace: 'default' }), (e: unknown) => e instanceof ApiError && e.code === 403 && e.message.startsWith(`secrets is forbidden: ${denied('list', 'secrets')}`));
    assert.equal((await as1.get('secrets', 'default', 'only-a1')).metadata.name, 'only-a1');
    assert.equal((await as1.get('pods', 'default', 'on-a1')).metadata.name, 'on-a1');
    await forbidden(as2.get('pods', 'default', 'on-a1'), `pods "on-a1" is forbidden: ${denied('get', 'pods')}: no relationship found between node '${A2}' and this object`);
    // Pods are listed and watched only with spec.nodeName=<itself> (AuthorizeNodeWithSelectors).
    await forbidden(as2.list('pods', {}), `pods is forbidden: ${denied('list', 'pods', ' at the cluster scope')}: can only list/watch pods with spec.nodeName field selector`);
    await forbidden(as2.list('pods', { fieldSelector: `spec.nodeName=${A1}` }), `pods is forbidden: ${denied('list', 'pods', ' at the cluster scope')}: can only list/watch pods with spec.nodeName field selector`);
    assert.deepEqual((await as1.list('pods', { fieldSelector: `spec.nodeName=${A1}` })).items.map((p) => p.metadata.name), ['on-a1']);
    await forbidden(as2.get('nodes', '', A1), `nodes "${A1}" is forbidden: ${denied('get', 'nodes', ' at the cluster scope')}: node '${A2}' cannot read '${A1}', only its own Node object`);
  });

  it('agent-2 cannot patch Node agent-1 nor its status; agent-1 can', async () => {
    const before = await admin.get('nodes', '', A1);
    const msg = `nodes "${A1}" is forbidden: node "${A2}" is not allowed to modify node "${A1}"`;
    await forbidden(as2.patch('nodes', '', A1, 'application/merge-patch+json', { metadata: { labels: { stolen: 'yes' } } }), msg);
    await forbidden(as2.patch('nodes', '', A1, 'application/merge-patch+json', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { subresource: 'status' }), msg);
    // Nodes may not delete Nodes at all (NodeRules has no delete): the authorizer refuses it.
    await forbidden(as2.delete('nodes', '', A1), `nodes "${A1}" is forbidden: User "system:node:${A2}" cannot delete resource "nodes" in API group "" at the cluster scope`);
    const after = await admin.get('nodes', '', A1);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    const mine = await as1.patch('nodes', '', A1, 'application/merge-patch+json', { metadata: { labels: { zone: 'z1' } } });
    assert.equal(mine.metadata.labels?.zone, 'z1');
  });

  it("agent-2 cannot change the status of agent-1's pod nor delete it; agent-1 can update it", async () => {
    const pod = await admin.get<Pod>('pods', 'default', 'on-a1');
    await forbidden(as2.update('pods', { ...pod, status: { phase: 'Failed', reason: 'Forged' } } as KubeObject, { subresource: 'status' }), `pods "on-a1" is forbidden: node "${A2}" can only update pod status for pods with spec.nodeName set to itself`);
    await forbidden(as2.delete('pods', 'default', 'on-a1'), `pods "on-a1" is forbidden: node "${A2}" can only delete pods with spec.nodeName set to itself`);
    await forbidden(as2.createSubresource('pods', 'default', 'on-a1', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'on-a1', namespace: 'default' } }), `pods "on-a1" is forbidden: node ${A2} can only evict pods with spec.nodeName set to itself`);
    await forbidden(as2.create('pods', podSpec('sneaky', A2, { containers: [{ name: 'c', image: 'x' }] })), `pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "${A2}" can only create mirror pods`);
    const still = await admin.get<Pod>('pods', 'default', 'on-a1');
    assert.equal(still.metadata?.resourceVersion, pod.metadata?.resourceVersion);
    assert.equal(still.metadata?.deletionTimestamp, undefined);
    const updated = await as1.update<Pod>('pods', { ...pod, status: { phase: 'Pending', reason: 'Mine' } } as KubeObject, { subresource: 'status' });
    assert.equal(updated.status?.reason, 'Mine');
  });

  it("agent-2 cannot create agent-1's Lease, over the object API or RenewLease; each node renews its own", async () => {
    const lease = (name: string): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } }) as KubeObject;
    // A create names the Lease in its body: NodeRestriction refuses it. Every other verb names
    // it in the request: the Node authorizer refuses it, with its reason.
    await forbidden(as2.create('leases', lease(A1)), `leases.coordination.k8s.io "${A1}" is forbidden: can only access node lease with the same name as the requesting node`);
    const msg = (name: string) =>
      `leases.coordination.k8s.io "${name}" is forbidden: User "system:node:${A2}" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node`;
    await forbidden(as2.nodes.renewLease(A1, 40), msg(A1));
    await forbidden(as2.nodes.renewLease(`ghost-${SUFFIX}`, 40), msg(`ghost-${SUFFIX}`));
    await assert.rejects(admin.get('leases', 'kube-node-lease', A1), (e: unknown) => e instanceof ApiError && e.code === 404);
    assert.ok(await as1.nodes.renewLease(A1, 40));
    const own = await admin.get('leases', 'kube-node-lease', A1);
    await forbidden(as2.update('leases', own), msg(A1));
    assert.ok(await as2.nodes.renewLease(A2, 40));
  });

  it("agent-2 cannot open agent-1's tunnel: it gets PERMISSION_DENIED and agent-1's stream stays", async () => {
    const real = as1.nodes.connect(A1);
    const opens: string[] = [];
    let realEnded = false;
    real.on('data', (m: { open?: { pod: string } }) => m.open && opens.push(m.open.pod));
    real.on('error', () => (realEnded = true));
    real.on('end', () => (realEnded = true));
    await waitFor('agent-1 connected', () => api.tunnel.connectedNodes().includes(A1), 5000, 20);

    const impostor = as2.nodes.connect(A1);
    const err = await new Promise<{ code: number; details: string }>((resolve) => impostor.on('error', resolve));
    assert.equal(err.code, PERMISSION_DENIED);
    assert.match(err.details, new RegExp(`node "${A2}" cannot open the stream tunnel of node "${A1}"`));
    impostor.on('data', () => assert.fail('the impostor got a message'));

    // The apiserver still routes agent-1's streams to agent-1.
    const s = api.tunnel.open(A1, { kind: 'log', namespace: 'default', pod: 'on-a1', podUid: 'uid', params: {} });
    await waitFor('the open reached agent-1', () => opens.includes('on-a1'), 5000, 20);
    s.close();
    assert.equal(realEnded, false);
    assert.ok(api.tunnel.connectedNodes().includes(A1));
    real.cancel();
  });

  it("when agent-1's stream ends and no new one comes, its Lease gets the time (what the node lifecycle controller reads); a renewal after it is newer", async () => {
    const stream = as1.nodes.connect(A1);
    stream.on('error', () => {});
    await waitFor('agent-1 connected', () => api.tunnel.connectedNodes().includes(A1), 5000, 20);
    await as1.nodes.renewLease(A1, 40);
    const renewed = Date.parse(((await admin.get('leases', 'kube-node-lease', A1)) as Lease).spec!.renewTime!);
    stream.cancel();
    // The test before ended a stream of agent-1 too: its mark may land late, older than this renewal.
    const at = await waitFor('the lease marked after the renewal', async () => {
      const mark = (await admin.get('leases', 'kube-node-lease', A1)).metadata.annotations?.[AgentDisconnectedAtAnnotation];
      return mark !== undefined && Date.parse(mark) >= renewed ? Date.parse(mark) : undefined;
    }, 5000, 20);
    assert.equal(api.tunnel.connectedNodes().includes(A1), false);
    await as1.nodes.renewLease(A1, 40);
    const again = (await admin.get('leases', 'kube-node-lease', A1)) as Lease;
    assert.ok(Date.parse(again.spec!.renewTime!) >= at, 'a renewal after it is newer');
  });
});

/** What node `n` was refused so far, from the audit log (written every 25 ms). */
async function refusalsOf(n: string): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 200));
  return auth.componentRefusals().filter((l) => l.startsWith(`system:node:${n} `));
}

describe('a real agent with its own node identity', () => {
  let h: AgentHarness;

  before(() => AgentHarness.images());

  it('runs a pod with a secret volume, using only what the Node authorizer and NodeRestriction allow', async () => {
    const client = as1;
    h = new AgentHarness(client);
    try {
      const earlier = (await refusalsOf(A1)).length;
      const since = async () => (await refusalsOf(A1)).slice(earlier);
      await h.start(A1);
      await admin.create('secrets', secret('agent-secret', 's3cret'));
      await admin.create('pods', podSpec('with-secret', A1, {
        volumes: [{ name: 'sec', secret: { secretName: 'agent-secret' } }],
        containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'sleep 3600'], volumeMounts: [{ name: 'sec', mountPath: '/etc/sec' }] }],
      }));
      const pod = await waitFor('pod Running', async () => {
        const p = await getPod(admin, 'with-secret');
        return p.status?.phase === 'Running' && p;
      }, 60_000);
      const id = (containerStatus(pod, 'c')?.containerID ?? '').replace('docker://', '');
      assert.equal((await execIn(id, ['cat', '/etc/sec/value'])).out, 's3cret');
      const lease = await admin.get('leases', 'kube-node-lease', A1);
      assert.equal(lease.spec?.holderIdentity, A1);
      const node = await admin.get('nodes', '', A1);
      assert.equal(node.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status, 'True');
      assert.deepEqual(await since(), [], 'the agent was refused nothing');
      // The same agent identity may not read another pod's secret.
      await assert.rejects(client.get('secrets', 'default', 'only-a1-elsewhere'), (e: unknown) => e instanceof ApiError && e.code === 403);
      const withOne = (await refusalsOf(A1)).length;
      await admin.delete('pods', 'default', 'with-secret');
      await waitFor('pod gone', async () => (await admin.list('pods', { namespace: 'default', fieldSelector: 'metadata.name=with-secret' })).items.length === 0, 30_000);
      assert.deepEqual((await refusalsOf(A1)).slice(withOne), [], 'deleting its pod needed nothing more');
    } finally {
      await h.cleanup();
    }
  });
});
