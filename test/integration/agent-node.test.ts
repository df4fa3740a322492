// Node-level behaviour of the agent on the real Docker engine: Docker unreachable makes the
// node NotReady and it recovers by itself; two agents share one engine, each with its own
// pods; a returning agent removes containers of pods now bound elsewhere; hostPort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import Docker from 'dockerode';
import type { Node, Pod } from '@k8ts/api';
import { AgentHarness, GracefulFakeClient, podSpec, waitFor, getPod, execIn } from './agent-harness.js';
import { freePort } from '../support/ports.js';

const tag = Math.random().toString(36).slice(2, 7);
const A = `agent-node-a-${tag}`;
const B = `agent-node-b-${tag}`;
const client = new GracefulFakeClient();
const h = new AgentHarness(client);
const sockDir = mkdtempSync(join(os.tmpdir(), 'k8ts-docker-proxy-'));

/** A unix socket in front of Docker's that can be switched off and on. */
class DockerProxy {
  readonly path = join(sockDir, 'docker.sock');
  private server: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();
  async up(): Promise<void> {
    if (this.server) return;
    rmSync(this.path, { force: true });
    this.server = net.createServer((c) => {
      const up = net.connect('/var/run/docker.sock');
      this.conns.add(c).add(up);
      c.pipe(up).pipe(c);
      const close = () => {
        c.destroy();
        up.destroy();
        this.conns.delete(c);
        this.conns.delete(up);
      };
      c.on('error', close).on('close', close);
      up.on('error', close).on('close', close);
    });
    await new Promise<void>((r) => this.server!.listen(this.path, () => r()));
  }
  async down(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }
}
const proxy = new DockerProxy();

before(async () => {
  await AgentHarness.images();
  await proxy.up();
});
after(async () => {
  await proxy.up();
  await h.cleanup();
  await proxy.down();
  rmSync(sockDir, { recursive: true, force: true });
});

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready');

test('Docker unreachable: node NotReady with the reason; Ready again when it returns', async () => {
  await h.start(A, { docker: new Docker({ socketPath: proxy.path }), nodeLabels: 'zone=z1,disk=ssd', cpu: '3', memory: '3Gi', maxPods: 17 });
  const n = client.peek<Node>('nodes', '', A)!;
  assert.equal(ready(n)?.status, 'True');
  assert.equal(n.metadata?.labels?.zone, 'z1');
  assert.equal(n.metadata?.labels?.disk, 'ssd');
  assert.deepEqual([n.status?.capacity?.cpu, n.status?.capacity?.memory, n.status?.capacity?.pods], ['3', '3Gi', '17']);
  await proxy.down();
  const down = await waitFor('NotReady', () => ready(client.peek<Node>('nodes', '', A))?.status === 'False' && ready(client.peek<Node>('nodes', '', A)), 10_000);
  assert.equal(down.reason, 'KubeletNotReady');
  assert.match(down.message ?? '', /container runtime is down: docker: .*(ENOENT|ECONNREFUSED)/);
  // the lease keeps being renewed: the agent itself is alive
  const l1 = client.peek('leases', 'kube-node-lease', A)!.spec.renewTime;
  await new Promise((r) => setTimeout(r, 1500));
  assert.notEqual(client.peek('leases', 'kube-node-lease', A)!.spec.renewTime, l1);
  await proxy.up();
  await waitFor('Ready again', () => ready(client.peek<Node>('nodes', '', A))?.status === 'True', 10_000);
  // and pods run again
  await client.create('pods', podSpec('after-outage', A, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] }));
  await waitFor('Running', async () => (await getPod(client, 'after-outage')).status?.phase === 'Running', 20_000);
});

test('two agents on one engine each run their own pods; a pod moved away is removed by its old agent', async () => {
  await h.start(B, { clusterDns: h.net.gateway });
  await client.create('pods', podSpec('on-b', B, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] }, 'team-x'));
  await waitFor('on-b Running', async () => (await getPod(client, 'on-b', 'team-x')).status?.phase === 'Running', 20_000);
  const onB = await getPod(client, 'on-b', 'team-x');
  // cluster DNS: nameserver, search path of the pod's namespace, ndots:5
  const resolv = (await execIn(onB.status!.containerStatuses![0].containerID!.replace('docker://', ''), ['cat', '/etc/resolv.conf'])).out;
  // Docker's embedded resolver (127.0.0.11) sits in front on user-defined networks and
  // forwards to the sandbox's DNS servers: the cluster DNS.
  assert.match(resolv, /nameserver (127\.0\.0\.11|\d+\.\d+\.\d+\.\d+)/);
  const sandbox = (await h.containersOf(onB)).find((c) => c.Labels['io.kubernetes.container.name'] === 'POD')!;
  assert.deepEqual((await (await import('./agent-harness.js')).docker.getContainer(sandbox.Id).inspect()).HostConfig.Dns, [h.net.gateway]);
  assert.match(resolv, /search team-x\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(resolv, /options ndots:5/);
  const containers = await h.containersOf(onB);
  assert.ok(containers.length >= 2);
  assert.ok(containers.every((c) => c.Labels['io.k8ts.node'] === B), 'created by agent B only');
  // A is stopped; its pod is bound to B meanwhile (as after an eviction and reschedule)
  const pod = await getPod(client, 'after-outage');
  const oldUid = pod.metadata!.uid!;
  const agentA = h.agents.find((a) => a.nodeName === A)!;
  await h.stopAgent(agentA);
  await client.delete('pods', 'default', 'after-outage', { gracePeriodSeconds: 0 });
  await client.create('pods', podSpec('after-outage', B, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] }));
  await waitFor('rescheduled on B', async () => {
    const p = await getPod(client, 'after-outage');
    return p.metadata?.uid !== oldUid && p.status?.phase === 'Running';
  }, 20_000);
  assert.equal((await h.containersOf({ metadata: { uid: oldUid } } as Pod)).filter((c) => c.State === 'running').length > 0, true, 'A\'s containers still run while A is down');
  await h.start(A, { docker: new Docker({ socketPath: proxy.path }) });
  await waitFor('A removed the old containers', async () => (await h.containersOf({ metadata: { uid: oldUid } } as Pod)).length === 0, 20_000);
  assert.equal((await getPod(client, 'after-outage')).status?.phase, 'Running', 'the copy on B is untouched');
});

test('hostPort is published through the sandbox', async () => {
  const port = await freePort();
  await client.create('pods', podSpec('hp', B, { containers: [{ name: 'hello', image: 'k8ts/hello:1.0', ports: [{ containerPort: 8080, hostPort: port, hostIP: '127.0.0.1' }] }] }));
  await waitFor('Running', async () => (await getPod(client, 'hp')).status?.phase === 'Running', 20_000);
  const body = await waitFor('answer on the host port', () =>
    new Promise<string | false>((resolve) => {
      http.get(`http://127.0.0.1:${port}/`, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      }).on('error', () => resolve(false));
    }), 10_000, 200);
  assert.match(body, /^hello from hp \(/);
});
