// Node identities against a real apiserver over a real etcd: the Node authorizer (graph of the
// pods bound to each node), NodeRestriction admission on writes, and the Nodes.Connect tunnel
// held only under the caller's own name. Then a real agent on Docker, running as
// system:node:<its name> with nothing but what the Node authorizer grants, runs a pod with a
// secret volume. Until the authorizer chain is wired into the faces, reads are asked of the
// authorizer directly (and, for the agent, through AuthorizingClient).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject, Pod } from '@k8ts/api';
import { ApiError, GrpcClient, createLogger } from '@k8ts/client';
import { startApiServer, createNodeAuthorizer, type ApiServer, type Attributes, type NodeAuthorizer } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { AgentHarness, containerStatus, execIn, getPod, podSpec, waitFor } from './agent-harness.js';
import { AuthorizingClient } from './helpers/authorizing-client.js';

const SUFFIX = Math.random().toString(36).slice(2, 7);
const A1 = `agent-1-${SUFFIX}`;
const A2 = `agent-2-${SUFFIX}`;
const TOKENS = { admin: 'tok-admin-0123456789', a1: 'tok-a1-0123456789', a2: 'tok-a2-0123456789' };
const nodeUser = (n: string) => ({ name: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });
const PERMISSION_DENIED = 7;

let etcd: TestEtcd;
let api: ApiServer;
let authz: NodeAuthorizer;
let tmp: string;
let admin: GrpcClient;
let as1: GrpcClient;
let as2: GrpcClient;

function attrs(n: string, verb: string, resource: string, namespace: string, name: string, subresource = ''): Attributes {
  return { user: nodeUser(n), verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource, namespace, name };
}

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
  const tokenFile = path.join(tmp, 'tokens.csv');
  writeFileSync(
    tokenFile,
    [`${TOKENS.admin},kubernetes-admin,uid-admin,"system:masters"`, `${TOKENS.a1},system:node:${A1},uid-a1,"system:nodes"`, `${TOKENS.a2},system:node:${A2},uid-a2,"system:nodes"`].join('\n') + '\n',
    { mode: 0o600 },
  );
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, tokenAuthFile: tokenFile, logger });
  authz = createNodeAuthorizer({ registry: api.registry, logger });
  const server = `127.0.0.1:${api.grpcPort}`;
  admin = new GrpcClient({ server, token: TOKENS.admin });
  as1 = new GrpcClient({ server, token: TOKENS.a1 });
  as2 = new GrpcClient({ server, token: TOKENS.a2 });
  await authz.ready;
});

after(async () => {
  authz?.stop();
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
    await waitFor('the graph', () => authz.authorize(attrs(A1, 'get', 'secrets', 'default', 'only-a1')).decision === 'Allow', 5000, 20);
  });

  it("agent-2 cannot read a Secret used only by a pod on agent-1; agent-1 can", () => {
    assert.deepEqual(authz.authorize(attrs(A2, 'get', 'secrets', 'default', 'only-a1')), { decision: 'NoOpinion', reason: `no relationship found between node '${A2}' and this object` });
    assert.equal(authz.authorize(attrs(A2, 'list', 'secrets', 'default', '')).decision, 'NoOpinion');
    assert.equal(authz.authorize(attrs(A1, 'get', 'secrets', 'default', 'only-a1')).decision, 'Allow');
    assert.equal(authz.authorize(attrs(A1, 'get', 'pods', 'default', 'on-a1')).decision, 'Allow');
    assert.equal(authz.authorize(attrs(A2, 'get', 'pods', 'default', 'on-a1')).decision, 'NoOpinion');
    assert.equal(authz.authorize(attrs(A2, 'get', 'nodes', '', A1)).decision, 'NoOpinion');
  });

  it('agent-2 cannot patch Node agent-1 nor its status; agent-1 can', async () => {
    const before = await admin.get('nodes', '', A1);
    const msg = `nodes "${A1}" is forbidden: node "${A2}" is not allowed to modify node "${A1}"`;
    await forbidden(as2.patch('nodes', '', A1, 'application/merge-patch+json', { metadata: { labels: { stolen: 'yes' } } }), msg);
    await forbidden(as2.patch('nodes', '', A1, 'application/merge-patch+json', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { subresource: 'status' }), msg);
    await forbidden(as2.delete('nodes', '', A1), msg);
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
    const msg = `leases.coordination.k8s.io "${A1}" is forbidden: can only access node lease with the same name as the requesting node`;
    await forbidden(as2.create('leases', lease(A1)), msg);
    await forbidden(as2.nodes.renewLease(A1, 40), msg);
    await forbidden(as2.nodes.renewLease(`ghost-${SUFFIX}`, 40), `leases.coordination.k8s.io "ghost-${SUFFIX}" is forbidden: can only access node lease with the same name as the requesting node`);
    await assert.rejects(admin.get('leases', 'kube-node-lease', A1), (e: unknown) => e instanceof ApiError && e.code === 404);
    assert.ok(await as1.nodes.renewLease(A1, 40));
    const own = await admin.get('leases', 'kube-node-lease', A1);
    await forbidden(as2.update('leases', own), msg);
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
});

describe('a real agent with its own node identity', () => {
  let h: AgentHarness;
  let client: AuthorizingClient;

  before(() => AgentHarness.images());

  it('runs a pod with a secret volume, using only what the Node authorizer and NodeRestriction allow', async () => {
    client = new AuthorizingClient(as1, authz, nodeUser(A1));
    h = new AgentHarness(client as never);
    try {
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
      assert.deepEqual(client.refusals, [], 'the agent was refused nothing');
      // The same agent identity may not read another pod's secret.
      await assert.rejects(client.get('secrets', 'default', 'only-a1-elsewhere'), (e: unknown) => e instanceof ApiError && e.code === 403);
      client.refusals.length = 0;
      await admin.delete('pods', 'default', 'with-secret');
      await waitFor('pod gone', async () => (await admin.list('pods', { namespace: 'default', fieldSelector: 'metadata.name=with-secret' })).items.length === 0, 30_000);
      assert.deepEqual(client.refusals, [], 'deleting its pod needed nothing more');
    } finally {
      await h.cleanup();
    }
  });
});
