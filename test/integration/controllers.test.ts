// The controller manager against a real apiserver and etcd, with the real scheduler and
// three hollow nodes playing the kubelet (no Docker): self-healing, scaling endpoints,
// rolling update and undo, relabelling, cascading deletes, jobs, node failure, failover.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger, type Client } from '@k8ts/client';
import type { Endpoints, EndpointSlice, KubeObject, Pod } from '@k8ts/api';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startDns, dnsPacket } from '@k8ts/dns';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { HollowKubelet } from './hollow-kubelet.js';
import { writeClusterAuth, type ClusterAuth } from '../support/cluster-auth.js';
import { until } from '../support/until.js';

const logger = createLogger('controllers-it');
logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';

function deployment(name: string, ns: string, replicas: number, image = 'k8ts/hello:1', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }] }] } },
      ...extra,
    },
  };
}

/** The A records a DNS server on loopback answers for a name. */
async function resolveA(port: number, name: string): Promise<string[]> {
  const sock = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      sock.once('message', resolve);
      sock.once('error', reject);
      setTimeout(() => reject(new Error('no DNS reply')), 1000).unref();
      sock.send(dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
    });
    return (dnsPacket.decode(reply).answers ?? []).flatMap((a) => (a.type === 'A' ? [String(a.data)] : []));
  } finally {
    sock.close();
  }
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('controller manager against a real apiserver', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let c: Client;
  let sched: RunningScheduler;
  let cm: RunningControllerManager | undefined;
  let tmp: string;
  let server: string;
  const kubelets: HollowKubelet[] = [];
  // Node,RBAC: the test acts as admin; the scheduler, the controller-manager and each hollow
  // node (system:node:<name>) as themselves.
  let auth: ClusterAuth;
  const nodeClients: Client[] = [];
  const asNode = (name: string): Client => {
    const nc = new GrpcClient({ server, token: auth.componentToken('agent', name) });
    nodeClients.push(nc);
    return nc;
  };
  const extraManagers: RunningControllerManager[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-cm-it-'));
    auth = writeClusterAuth(tmp, { nodes: ['hollow-1', 'hollow-2', 'hollow-3', 'hollow-4'] });
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger, defaultTolerationSeconds: 2 });
    server = `127.0.0.1:${api.grpcPort}`;
    c = new GrpcClient({ server, token: auth.adminToken });
    for (let i = 1; i <= 3; i++) {
      const k = new HollowKubelet(asNode(`hollow-${i}`), `hollow-${i}`, i, { succeedLabel: 'job-name', succeedAfterMs: 400 });
      await k.register();
      k.start();
      kubelets.push(k);
    }
    sched = await startScheduler({ client: new GrpcClient({ server, token: auth.componentToken('scheduler') }), closeClient: true, leaderElect: false, logger, queue: { initialBackoffMs: 200, maxBackoffMs: 1000 } });
    cm = await startControllerManager({ client: new GrpcClient({ server, token: auth.componentToken('controller-manager') }), opsPort: -1, leaderElect: true, identity: 'cm-a' });
  });

  after(async () => {
    for (const ch of children) if (ch.pid && ch.exitCode === null && ch.signalCode === null) process.kill(ch.pid, 'SIGKILL');
    for (const k of kubelets) k.stop();
    for (const m of extraManagers) await m.stop().catch(() => undefined);
    await cm?.stop().catch(() => undefined);
    await sched?.stop().catch(() => undefined);
    c?.close();
    for (const nc of nodeClients) nc.close();
    await api?.stop();
    await etcd?.stop();
    const refused = auth?.componentRefusals() ?? [];
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(refused, [], 'the components and hollow nodes, each as itself, were refused nothing');
  });

  async function namespace(name: string): Promise<string> {
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }
  const podsOf = async (ns: string, app: string) => (await c.list<Pod & KubeObject>('pods', { namespace: ns, labelSelector: `app=${app}` })).items;
  const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
  async function readyCount(ns: string, app: string) {
    return live(await podsOf(ns, app)).filter(isReady).length;
  }
  async function rolledOut(ns: string, name: string) {
    const d = await c.get('deployments', ns, name);
    const s = d.status ?? {};
    const want = d.spec.replicas;
    return (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      s.updatedReplicas === want &&
      s.replicas === want &&
      s.availableReplicas === want &&
      s.conditions?.some((x: { type: string; reason: string }) => x.type === 'Progressing' && x.reason === 'NewReplicaSetAvailable') &&
      d
    );
  }

  it('a 3-replica deployment gets its ReplicaSet and pods; a deleted pod is replaced', async () => {
    const ns = await namespace('heal');
    await c.create('deployments', deployment('web', ns, 3));
    const d = await until('rolled out', () => rolledOut(ns, 'web'));
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    const rss = (await c.list('replicasets', { namespace: ns })).items;
    assert.equal(rss.length, 1);
    const hash = rss[0]!.metadata.labels!['pod-template-hash'];
    assert.equal(rss[0]!.metadata.name, `web-${hash}`);
    const pods = await podsOf(ns, 'web');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.ownerReferences![0]!.kind, 'ReplicaSet');
    }
    await c.delete('pods', ns, pods[0]!.metadata.name!);
    await until('a replacement', async () => {
      const now = live(await podsOf(ns, 'web'));
      return now.length === 3 && !now.some((p) => p.metadata.name === pods[0]!.metadata.name) && now.every(isReady);
    });
    const events = (await c.list('events', { namespace: ns })).items;
    assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} to 3`));
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate'));
  });

  it('scaling 2 → 5 grows the service endpoints to 5', async () => {
    const ns = await namespace('scale');
    await c.create('deployments', deployment('nginx01', ns, 2));
    await c.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx01', namespace: ns }, spec: { selector: { app: 'nginx01' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const addrs = async (): Promise<unknown[]> => ((await c.get<Endpoints>('endpoints', ns, 'nginx01').catch(() => undefined))?.subsets?.[0]?.addresses ?? []);
    await until('2 endpoints', async () => (await addrs()).length === 2);
    const ep = await c.get<Endpoints>('endpoints', ns, 'nginx01');
    assert.deepEqual(ep.subsets![0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const d = await c.get('deployments', ns, 'nginx01');
    await c.update('deployments', { ...d, spec: { ...d.spec, replicas: 5 } });
    await until('5 endpoints', async () => (await addrs()).length === 5);
    // The slice is written by its own sync, so it follows the Endpoints object shortly after.
    const slicesReady = async () => (await c.list<EndpointSlice & KubeObject>('endpointslices', { namespace: ns, labelSelector: 'kubernetes.io/service-name=nginx01' })).items;
    await until('a slice with 5 ready endpoints', async () => (await slicesReady()).some((s) => s.endpoints.filter((e) => e.conditions?.ready).length === 5));
    const slices = await slicesReady();
    assert.equal(slices.length, 1);
    assert.equal(slices[0]!.endpoints.filter((e) => e.conditions?.ready).length, 5);
  });

  it('a selector-less headless Service with hand-written Endpoints gets a mirrored EndpointSlice, which cluster DNS answers from', async () => {
    const ns = await namespace('mirror');
    await c.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: ns }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    await c.create('endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'ext', namespace: ns },
      subsets: [{ addresses: [{ ip: '10.213.9.7', hostname: 'db-0' }], notReadyAddresses: [{ ip: '10.213.9.8' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    });
    const mirrored = async () => (await c.list<EndpointSlice & KubeObject>('endpointslices', { namespace: ns, labelSelector: 'kubernetes.io/service-name=ext' })).items;
    const slices = await until('a mirrored slice', async () => ((await mirrored()).length ? mirrored() : undefined));
    assert.equal(slices.length, 1);
    assert.equal(slices[0]!.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(
      slices[0]!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready, e.hostname]),
      [
        ['10.213.9.7', true, 'db-0'],
        ['10.213.9.8', false, undefined],
      ],
    );
    const dns = await startDns({ server, token: auth.componentToken('dns'), listen: '127.0.0.1:0', upstream: '127.0.0.1:9', opsPort: -1, waitForAddress: false });
    try {
      const answers = await until('DNS answers for the headless name', async () => {
        const a = await resolveA(dns.port, `ext.${ns}.svc.cluster.local`);
        return a.length ? a : undefined;
      });
      assert.deepEqual(answers, ['10.213.9.7']);
      assert.deepEqual(await resolveA(dns.port, `db-0.ext.${ns}.svc.cluster.local`), ['10.213.9.7']);
    } finally {
      await dns.stop();
    }
    await c.delete('endpoints', ns, 'ext');
    await until('the mirrored slice removed with its Endpoints', async () => (await mirrored()).length === 0);
  });

  it('a rolling update never drops below replicas - maxUnavailable ready, and undo returns to the old ReplicaSet', async () => {
    const ns = await namespace('roll');
    await c.create('deployments', deployment('app', ns, 4, 'k8ts/hello:1'));
    await until('rolled out', () => rolledOut(ns, 'app'));
    const [oldRS] = (await c.list('replicasets', { namespace: ns })).items;
    let min = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        min = Math.min(min, await readyCount(ns, 'app'));
        await sleep(20);
      }
    })();
    const d = await c.get('deployments', ns, 'app');
    d.spec.template.spec.containers[0].image = 'k8ts/hello:2';
    await c.update('deployments', d);
    await until('rolled out to v2', () => rolledOut(ns, 'app'), 30_000);
    sampling = false;
    await sampler;
    assert.ok(min >= 3, `ready pods fell to ${min} (replicas 4, maxUnavailable 1)`);
    const rss = (await c.list('replicasets', { namespace: ns })).items;
    assert.equal(rss.length, 2);
    const newRS = rss.find((r) => r.metadata.uid !== oldRS!.metadata.uid)!;
    assert.equal(newRS.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal(rss.find((r) => r.metadata.uid === oldRS!.metadata.uid)!.spec.replicas, 0);

    // kubectl rollout undo (1.32, client-side): the template of revision 1 is patched in.
    const tpl = structuredClone(oldRS!.spec.template);
    delete tpl.metadata.labels['pod-template-hash'];
    await c.patch('deployments', ns, 'app', 'application/json-patch+json', [{ op: 'replace', path: '/spec/template', value: tpl }]);
    const back: KubeObject = await until('undone', async () => {
      const r = await c.get('replicasets', ns, oldRS!.metadata.name!);
      return r.spec.replicas === 4 && (await rolledOut(ns, 'app')) && r;
    }, 30_000);
    assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal((await c.list('replicasets', { namespace: ns })).items.length, 2);
    assert.equal((await c.get('deployments', ns, 'app')).metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  });

  it('a pod relabelled out of its ReplicaSet is released and replaced; relabelled back, the extra one goes', async () => {
    const ns = await namespace('relabel');
    await c.create('deployments', deployment('svc', ns, 2));
    await until('rolled out', () => rolledOut(ns, 'svc'));
    const [victim] = await podsOf(ns, 'svc');
    const hashLabel = victim!.metadata.labels!['pod-template-hash'];
    await c.patch('pods', ns, victim!.metadata.name!, 'application/merge-patch+json', { metadata: { labels: { app: 'debug' } } });
    await until('released', async () => {
      const p = await c.get('pods', ns, victim!.metadata.name!);
      return (p.metadata.ownerReferences ?? []).length === 0;
    });
    await until('replacement', async () => live(await podsOf(ns, 'svc')).filter(isReady).length === 2);
    await c.patch('pods', ns, victim!.metadata.name!, 'application/merge-patch+json', { metadata: { labels: { app: 'svc', 'pod-template-hash': hashLabel } } });
    await until('back to 2', async () => live(await podsOf(ns, 'svc')).length === 2 && (await podsOf(ns, 'svc')).length === 2, 20_000);
  });

  it('deleting a deployment removes its ReplicaSets and pods; deleting a namespace removes everything and then the namespace', async () => {
    const ns = await namespace('cascade');
    await c.create('deployments', deployment('gone', ns, 2));
    await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: ns }, data: { a: '1' } });
    await until('rolled out', () => rolledOut(ns, 'gone'));
    await c.delete('deployments', ns, 'gone', { propagationPolicy: 'Background' });
    await until('replicasets gone', async () => (await c.list('replicasets', { namespace: ns })).items.length === 0);
    await until('pods gone', async () => (await c.list('pods', { namespace: ns })).items.length === 0);

    await c.create('deployments', deployment('again', ns, 2));
    await until('rolled out', () => rolledOut(ns, 'again'));
    await c.delete('namespaces', '', ns);
    await until('namespace gone', async () => {
      try {
        await c.get('namespaces', '', ns);
        return false;
      } catch (e) {
        return (e as { code?: number }).code === 404;
      }
    }, 30_000);
    assert.equal((await c.list('pods', { namespace: ns })).items.length, 0);
    assert.equal((await c.list('configmaps', { namespace: ns })).items.length, 0);
  });

  it('foreground deletion waits for dependents; orphan deletion leaves them without owner references', async () => {
    const ns = await namespace('policies');
    await c.create('deployments', deployment('fg', ns, 2));
    await c.create('deployments', deployment('orph', ns, 1));
    await until('rolled out', async () => (await rolledOut(ns, 'fg')) && rolledOut(ns, 'orph'));
    await c.delete('deployments', ns, 'fg', { propagationPolicy: 'Foreground' });
    const d = await c.get('deployments', ns, 'fg');
    assert.ok(d.metadata.deletionTimestamp && d.metadata.finalizers?.includes('foregroundDeletion'));
    await until('fg gone after its dependents', async () => {
      const gone = await c.get('deployments', ns, 'fg').then(() => false, (e) => (e as { code?: number }).code === 404);
      return gone && (await podsOf(ns, 'fg')).length === 0;
    });
    await c.delete('deployments', ns, 'orph', { propagationPolicy: 'Orphan' });
    await until('orph gone', async () => c.get('deployments', ns, 'orph').then(() => false, (e) => (e as { code?: number }).code === 404));
    const rss = (await c.list('replicasets', { namespace: ns, labelSelector: 'app=orph' })).items;
    assert.equal(rss.length, 1);
    assert.deepEqual(rss[0]!.metadata.ownerReferences ?? [], []);
    assert.equal(live(await podsOf(ns, 'orph')).length, 1);
  });

  it('a Job with completions 3 and parallelism 2 completes with never more than 2 active', async () => {
    const ns = await namespace('jobs');
    await c.create('jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: ns },
      spec: { completions: 3, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'k8ts/busybox' }] } } },
    });
    let maxActive = 0;
    const job = await until('complete', async () => {
      const pods = (await c.list<Pod & KubeObject>('pods', { namespace: ns })).items;
      maxActive = Math.max(maxActive, pods.filter((p) => p.status?.phase !== 'Succeeded' && !p.metadata.deletionTimestamp).length);
      const j = await c.get('jobs', ns, 'pi');
      return j.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Complete' && x.status === 'True') && j;
    }, 30_000);
    assert.equal(job.status.succeeded, 3);
    assert.ok(job.status.completionTime);
    assert.ok(maxActive <= 2, `saw ${maxActive} active pods`);
    const pods = (await c.list<Pod & KubeObject>('pods', { namespace: ns })).items;
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.metadata.labels?.['job-name'] === 'pi' && p.metadata.labels?.['batch.kubernetes.io/job-name'] === 'pi'));
  });

  it('a node whose lease stops being renewed is tainted and its pods are replaced on the other nodes', async () => {
    const ns = await namespace('failover');
    await c.create('deployments', deployment('ha', ns, 6));
    await until('rolled out', () => rolledOut(ns, 'ha'));
    const before = await podsOf(ns, 'ha');
    const victimNode = before[0]!.spec!.nodeName!;
    const onVictim = before.filter((p) => p.spec?.nodeName === victimNode).map((p) => p.metadata.name);
    const k = kubelets.find((x) => x.name === victimNode)!;
    const t0 = Date.now();
    k.stop();
    const node = await until('tainted', async () => {
      const n = await c.get('nodes', '', victimNode);
      return n.spec?.taints?.some((t: { key: string; effect: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && n;
    });
    assert.equal(node.status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'Unknown');
    await until('6 ready elsewhere', async () => {
      const ps = live(await podsOf(ns, 'ha'));
      return ps.length === 6 && ps.every((p) => isReady(p) && p.spec?.nodeName !== victimNode);
    }, 30_000);
    const recovery = Date.now() - t0;
    logger.warn({ recoveryMs: recovery }, 'node failure recovery');
    // Evicted pods stay Terminating on the unreachable node (its agent would finish them).
    const stuck = (await podsOf(ns, 'ha')).filter((p) => onVictim.includes(p.metadata.name));
    assert.ok(stuck.length > 0 && stuck.every((p) => p.metadata.deletionTimestamp));
    const events = (await c.list('events', { namespace: ns })).items;
    assert.ok(events.some((e) => e.reason === 'TaintManagerEviction'));
    // The agent comes back: it finishes its terminated pods and the taint goes.
    k.start();
    await until('untainted', async () => !(await c.get('nodes', '', victimNode)).spec?.taints?.length);
    await until('stuck pods finished', async () => (await podsOf(ns, 'ha')).length === 6);
  });

  it('a DaemonSet runs one pod per node and follows nodes joining and leaving', async () => {
    const ns = await namespace('daemons');
    await c.create('daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'logger', namespace: ns },
      spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'l', image: 'k8ts/busybox' }] } } },
    });
    const nodesWithPod = async () => new Set(live(await podsOf(ns, 'logger')).filter(isReady).map((p) => p.spec!.nodeName));
    const nodeNames = async () => (await c.list('nodes')).items.map((n) => n.metadata.name!).sort();
    await until('one per node', async () => {
      const want = await nodeNames();
      const have = await nodesWithPod();
      return have.size === want.length && want.every((n) => have.has(n)) && live(await podsOf(ns, 'logger')).length === want.length;
    });
    const extra = new HollowKubelet(asNode('hollow-4'), 'hollow-4', 4);
    await extra.register();
    extra.start();
    kubelets.push(extra);
    await until('pod on the new node', async () => (await nodesWithPod()).has('hollow-4'));
    const ds = await until('status', async () => {
      const d = await c.get('daemonsets', ns, 'logger');
      return d.status?.numberReady === (await nodeNames()).length && d;
    });
    assert.equal(ds.status.desiredNumberScheduled, (await nodeNames()).length);
    extra.stop();
    await c.delete('nodes', '', 'hollow-4');
    await until('pod of the removed node gone', async () => !(await podsOf(ns, 'logger')).some((p) => p.spec?.nodeName === 'hollow-4'));
    await until('desired shrinks', async () => (await c.get('daemonsets', ns, 'logger')).status?.desiredNumberScheduled === (await nodeNames()).length);
  });

  it('leader failover: a second manager takes over when the leader stops, without duplicate pods', async () => {
    const b = await startControllerManager({ client: new GrpcClient({ server, token: auth.componentToken('controller-manager') }), opsPort: -1, leaderElect: true, identity: 'cm-b' });
    extraManagers.push(b);
    await sleep(1500);
    assert.equal(b.manager.isLeader, false);
    assert.equal(cm!.manager.isLeader, true);
    await cm!.stop();
    cm = undefined;
    const t0 = Date.now();
    await until('b leads', async () => b.manager.isLeader, 10_000);
    const lease = await c.get('leases', 'kube-system', 'k8ts-controller-manager');
    assert.equal(lease.spec.holderIdentity, 'cm-b');
    const ns = await namespace('after-failover');
    await c.create('deployments', deployment('late', ns, 3));
    await until('rolled out by b', () => rolledOut(ns, 'late'), 20_000);
    assert.ok(Date.now() - t0 < 20_000);
    await sleep(500);
    assert.equal((await podsOf(ns, 'late')).length, 3);
  });

  it('leader failover between processes: the leader is SIGKILLed, the follower takes over after the lease runs out', async () => {
    for (const m of extraManagers.splice(0)) await m.stop();
    const main = path.join(import.meta.dirname, '..', '..', 'packages', 'controller-manager', 'src', 'main.ts');
    const start = () => {
      const ch = spawn(process.execPath, ['--import', 'tsx', main, '--server', server, '--token-file', auth.tokenFile('controller-manager'), '--ops-port', '-1'], { stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(ch);
      let out = '';
      const started = new Promise<void>((resolve) =>
        ch.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('controller-manager started')) resolve();
        }),
      );
      return Object.assign(ch, { started });
    };
    const p1 = start();
    const holder = async () => (await c.get('leases', 'kube-system', 'k8ts-controller-manager')).spec?.holderIdentity as string | undefined;
    await until('p1 leads', async () => (await holder())?.includes(`_${p1.pid}_`), 20_000);
    const p2 = start();
    await p2.started;
    await sleep(1500); // p2 has seen the lease held by p1 and follows
    p1.kill('SIGKILL');
    const t0 = Date.now();
    await until('p2 leads', async () => (await holder())?.includes(`_${p2.pid}_`), 20_000);
    const took = Date.now() - t0;
    // Lease 4 s, counted from p2's last sight of a renewal, plus a 1 s retry period: about 5-6 s,
    // 7.7 s at load 20. The bound tells the lease's expiry from kube's 15 s default lease.
    assert.ok(took < 12_000, `took ${took} ms`);
    const ns = await namespace('process-failover');
    await c.create('deployments', deployment('proc', ns, 2));
    await until('rolled out by p2', () => rolledOut(ns, 'proc'), 20_000);
    await sleep(500);
    assert.equal((await podsOf(ns, 'proc')).length, 2);
    p2.kill('SIGTERM');
  });
});
