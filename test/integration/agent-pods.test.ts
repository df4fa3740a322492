// The agent on the real Docker engine: pod networking (shared namespace, pod to pod),
// volumes, env, and the waiting reasons of pods that cannot start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { AgentHarness, GracefulFakeClient, podSpec, waitFor, getPod, containerStatus, execIn, docker } from './agent-harness.js';

const NODE = `agent-pods-${Math.random().toString(36).slice(2, 7)}`;
const client = new GracefulFakeClient();
const h = new AgentHarness(client);

before(async () => {
  await AgentHarness.images();
  await h.start(NODE);
});
after(() => h.cleanup());

async function running(name: string, timeoutMs = 20_000): Promise<Pod> {
  return waitFor(`${name} Running`, async () => {
    const p = await getPod(client, name);
    return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running) && p;
  }, timeoutMs);
}

function cid(p: Pod, container: string): string {
  return (containerStatus(p, container)?.containerID ?? '').replace('docker://', '');
}

test('node registered Ready with labels, capacity, addresses and a renewed lease', async () => {
  const node = client.peek('nodes', '', NODE)!;
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], NODE);
  assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
  const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
  assert.equal(ready.status, 'True');
  assert.ok(Number(node.status.capacity.cpu) >= 1);
  assert.match(node.status.nodeInfo.containerRuntimeVersion, /^docker:\/\/20\./);
  assert.equal(node.status.addresses.find((a: { type: string }) => a.type === 'InternalIP').address, h.net.gateway);
  const l1 = client.peek('leases', 'kube-node-lease', NODE)!.spec.renewTime;
  await new Promise((r) => setTimeout(r, 1500));
  const l2 = client.peek('leases', 'kube-node-lease', NODE)!.spec.renewTime;
  assert.notEqual(l1, l2, 'lease renewed within 1.5 s');
});

test('two containers share IP and hostname and reach each other on localhost', async () => {
  await client.create('pods', podSpec('web', NODE, {
    containers: [
      { name: 'hello', image: 'k8ts/hello:1.0', ports: [{ containerPort: 8080 }] },
      { name: 'side', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'sleep 3600'] },
    ],
  }));
  const p = await running('web');
  assert.ok(p.status?.podIP?.startsWith(h.net.subnet.split('.').slice(0, 2).join('.')), `pod IP ${p.status?.podIP} in ${h.net.subnet}`);
  assert.equal(p.status?.hostIP, h.net.gateway);
  const side = cid(p, 'side');
  const hello = cid(p, 'hello');
  assert.equal((await execIn(side, ['hostname'])).out.trim(), 'web');
  assert.equal((await execIn(hello, ['hostname'])).out.trim(), 'web');
  const ipSide = (await execIn(side, ['sh', '-c', "ip -o -4 addr show eth0 | awk '{print $4}'"])).out.trim();
  const ipHello = (await execIn(hello, ['sh', '-c', "ip -o -4 addr show eth0 | awk '{print $4}'"])).out.trim();
  assert.equal(ipSide, ipHello);
  assert.equal(ipSide.split('/')[0], p.status?.podIP);
  const r = await waitFor('hello on localhost', async () => {
    const x = await execIn(side, ['timeout', '5', 'wget', '-qO-', 'http://127.0.0.1:8080/']);
    return x.code === 0 && x.out;
  }, 10_000, 200);
  assert.equal(r.trim(), `hello from web (${p.status?.podIP})`);
  // labels say what the container is
  const info = await docker.getContainer(side).inspect();
  assert.equal(info.Config.Labels['io.kubernetes.pod.name'], 'web');
  assert.equal(info.Config.Labels['io.kubernetes.container.name'], 'side');
  assert.equal(info.Config.Labels['io.k8ts.node'], NODE);
  assert.match(String(info.HostConfig.NetworkMode), /^container:/);
});

test('one pod reaches another pod by its IP', async () => {
  await client.create('pods', podSpec('client', NODE, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] }));
  const web = await running('web');
  const c = await running('client');
  assert.notEqual(c.status?.podIP, web.status?.podIP);
  const out = await waitFor('pod to pod', async () => {
    const x = await execIn(cid(c, 'c'), ['timeout', '5', 'wget', '-qO-', `http://${web.status?.podIP}:8080/`]);
    return x.code === 0 && x.out;
  }, 10_000, 200);
  assert.equal(out.trim(), `hello from web (${web.status?.podIP})`);
});

test('emptyDir shared by two containers, removed with the pod', async () => {
  await client.create('pods', podSpec('shared', NODE, {
    volumes: [{ name: 'scratch', emptyDir: {} }],
    containers: [
      { name: 'writer', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'echo written-by-writer > /data/msg; sleep 3600'], volumeMounts: [{ name: 'scratch', mountPath: '/data' }] },
      { name: 'reader', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/shared' }] },
    ],
  }));
  const p = await running('shared');
  const out = await waitFor('file visible', async () => {
    const x = await execIn(cid(p, 'reader'), ['cat', '/shared/msg']);
    return x.code === 0 && x.out;
  }, 10_000);
  assert.equal(out.trim(), 'written-by-writer');
  const hostDir = (await docker.getContainer(cid(p, 'reader')).inspect()).HostConfig.Binds?.[0]?.split(':')[0] ?? '';
  const { existsSync } = await import('node:fs');
  assert.ok(existsSync(hostDir), `emptyDir on the host at ${hostDir}`);
  await client.delete('pods', 'default', 'shared');
  await waitFor('pod gone', async () => !client.peek('pods', 'default', 'shared'), 20_000);
  await waitFor('emptyDir removed', () => !existsSync(hostDir), 5_000);
  assert.equal((await h.containersOf(p)).length, 0);
});

test('env: value, fieldRef, configMapKeyRef, secretKeyRef, envFrom, $(VAR); configMap and secret volumes', async () => {
  await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { color: 'blue', 'app.conf': 'x=1\n' } });
  await client.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
  await client.create('pods', podSpec('envy', NODE, {
    volumes: [
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'sec', secret: { secretName: 'sec' } },
    ],
    containers: [{
      name: 'c',
      image: 'k8ts/busybox:1.36',
      command: ['sh', '-c', 'sleep 3600'],
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CM_' }],
      env: [
        { name: 'PLAIN', value: 'v1' },
        { name: 'DERIVED', value: '$(PLAIN)-x' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      ],
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/etc/sec' }],
    }],
  }));
  const p = await running('envy');
  const env = Object.fromEntries((await execIn(cid(p, 'c'), ['env'])).out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(env.PLAIN, 'v1');
  assert.equal(env.DERIVED, 'v1-x');
  assert.equal(env.POD_NAME, 'envy');
  assert.equal(env.POD_NS, 'default');
  assert.equal(env.POD_IP, p.status?.podIP);
  assert.equal(env.NODE, NODE);
  assert.equal(env.COLOR, 'blue');
  assert.equal(env.PASSWORD, 's3cret');
  assert.equal(env.CM_color, 'blue');
  assert.equal((await execIn(cid(p, 'c'), ['cat', '/etc/cfg/app.conf'])).out, 'x=1\n');
  assert.equal((await execIn(cid(p, 'c'), ['cat', '/etc/sec/password'])).out, 's3cret');
  const w = await execIn(cid(p, 'c'), ['sh', '-c', 'echo no > /etc/cfg/new']);
  assert.notEqual(w.code, 0, 'configMap volume is read-only');
});

test('init containers run in order to completion before the app containers', async () => {
  await client.create('pods', podSpec('inits', NODE, {
    volumes: [{ name: 'w', emptyDir: {} }],
    initContainers: [
      { name: 'one', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'echo one >> /w/log'], volumeMounts: [{ name: 'w', mountPath: '/w' }] },
      { name: 'two', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'echo two >> /w/log'], volumeMounts: [{ name: 'w', mountPath: '/w' }] },
    ],
    containers: [{ name: 'app', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'echo app >> /w/log; sleep 3600'], volumeMounts: [{ name: 'w', mountPath: '/w' }] }],
  }));
  const p = await running('inits');
  assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  assert.deepEqual(p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason), ['Completed', 'Completed']);
  const log = await waitFor('app wrote', async () => {
    const x = await execIn(cid(p, 'app'), ['cat', '/w/log']);
    return x.out.includes('app') && x.out;
  });
  assert.equal(log, 'one\ntwo\napp\n');
});

test('a missing image: ErrImagePull, then ImagePullBackOff with the Docker message', async () => {
  // A registry on a closed loopback port: the pull is refused at once and nothing leaves the machine.
  await client.create('pods', podSpec('noimage', NODE, { containers: [{ name: 'c', image: '127.0.0.1:1/k8ts/does-not-exist:1.0' }] }));
  const seen = new Set<string>();
  try {
    await waitFor('ImagePullBackOff after ErrImagePull', async () => {
      const s = containerStatus(await getPod(client, 'noimage'), 'c');
      const w = s?.state?.waiting;
      if (w?.reason) seen.add(w.reason);
      if (w?.reason === 'ErrImagePull') assert.match(w.message ?? '', /k8ts\/does-not-exist:1.0|connection refused/);
      return seen.has('ErrImagePull') && seen.has('ImagePullBackOff');
    }, 20_000, 50);
  } catch (e) {
    const pod = await getPod(client, 'noimage');
    throw new Error(`${(e as Error).message}; reasons seen: [${[...seen].join(', ')}]; status now: ${JSON.stringify(pod.status)}`);
  }
  const p = await getPod(client, 'noimage');
  assert.equal(p.status?.phase, 'Pending');
});

test('a missing ConfigMap: CreateContainerConfigError, running once it exists', async () => {
  await client.create('pods', podSpec('needscfg', NODE, {
    containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'later', key: 'x' } } }] }],
  }));
  await waitFor('CreateContainerConfigError', async () => {
    const w = containerStatus(await getPod(client, 'needscfg'), 'c')?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' && /configmap "later" not found/.test(w.message ?? '');
  }, 15_000);
  await client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' }, data: { x: 'now' } });
  const p = await running('needscfg', 20_000);
  assert.equal((await execIn(cid(p, 'c'), ['sh', '-c', 'echo $X'])).out.trim(), 'now');
});

test('a subPath through a symlink the pod made is refused at mount with an event, and nothing of the host is mounted', async () => {
  // the init container plants a link to the host's / in the volume; the app container asks for it
  await client.create('pods', podSpec('symlinked', NODE, {
    volumes: [{ name: 'data', emptyDir: {} }],
    initContainers: [{ name: 'plant', image: 'k8ts/busybox:1.36', command: ['ln', '-s', '/', '/data/host'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/hostroot', subPath: 'host' }] }],
  }));
  await waitFor('CreateContainerConfigError', async () => {
    const w = containerStatus(await getPod(client, 'symlinked'), 'c')?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' && /goes through the symlink "host"/.test(w.message ?? '');
  }, 20_000);
  const events = (await client.list('events', { namespace: 'default' })).items.filter((e: any) => e.involvedObject?.name === 'symlinked' && e.reason === 'Failed');
  assert.ok(events.some((e: any) => /symlink "host"/.test(e.message)), 'a Failed event says why');
  const made = (await docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.name=symlinked`] } })).filter((c) => c.Labels['io.kubernetes.container.name'] === 'c');
  assert.equal(made.length, 0, 'no container was created with the host mounted');
});

test('a command that does not exist: StartError, then CrashLoopBackOff; other pods unaffected', async () => {
  await client.create('pods', podSpec('badcmd', NODE, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['/no/such/binary'] }] }));
  const s = await waitFor('StartError', async () => {
    const st = containerStatus(await getPod(client, 'badcmd'), 'c');
    const t = st?.state?.terminated ?? st?.lastState?.terminated;
    return t?.reason === 'StartError' && st;
  }, 15_000);
  assert.match((s.state?.terminated ?? s.lastState?.terminated)?.message ?? '', /no such file|not found/i);
  const web = await getPod(client, 'web');
  assert.equal(web.status?.phase, 'Running');
});

test('memory limit: the container is OOMKilled and says so; cpu limit reaches Docker', async () => {
  await client.create('pods', podSpec('hog', NODE, {
    restartPolicy: 'Never',
    containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo ${#x}'], resources: { limits: { memory: '16Mi', cpu: '250m' } } }],
  }));
  const p = await waitFor('Failed', async () => { const p = await getPod(client, 'hog'); return p.status?.phase === 'Failed' && p; }, 20_000);
  const t = containerStatus(p, 'c')?.state?.terminated;
  assert.equal(t?.reason, 'OOMKilled');
  assert.equal(t?.exitCode, 137);
  const info = await docker.getContainer(cid(p, 'c')).inspect();
  assert.equal(info.HostConfig.Memory, 16 * 1024 * 1024);
  assert.equal(info.HostConfig.NanoCpus, 250_000_000);
});

test('a startup probe holds liveness and readiness until it passes', async () => {
  await client.create('pods', podSpec('slowstart', NODE, {
    containers: [{
      name: 'c',
      image: 'k8ts/busybox:1.36',
      command: ['sh', '-c', 'sleep 2; touch /tmp/started; exec sleep 3600'],
      startupProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['test', '-f', '/tmp/started'] }, periodSeconds: 1, failureThreshold: 1 },
      readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
    }],
  }));
  const early = await running('slowstart');
  assert.equal(containerStatus(early, 'c')?.started, false, 'not started before the startup probe passes');
  assert.equal(containerStatus(early, 'c')?.ready, false);
  const p = await waitFor('started and ready', async () => {
    const p = await getPod(client, 'slowstart');
    const s = containerStatus(p, 'c');
    return s?.started && s.ready && p;
  }, 15_000);
  assert.equal(containerStatus(p, 'c')?.restartCount, 0, 'liveness did not kill it during startup');
});
