// The agent on the real Docker engine applies what a pod's security settings ask: hostPID
// shows the host's processes, hostIPC joins the host's IPC namespace, allowPrivilegeEscalation
// false sets no_new_privs, a namespaced sysctl is set in the pod, and runAsNonRoot refuses an
// image that runs as root; a pod without them sees none of the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Pod } from '@k8ts/api';
import { AgentHarness, GracefulFakeClient, podSpec, waitFor, getPod, containerStatus, execIn, docker } from './agent-harness.js';

const NODE = `agent-sec-${Math.random().toString(36).slice(2, 7)}`;
const client = new GracefulFakeClient();
const h = new AgentHarness(client);

before(async () => {
  const present = await docker.getImage('k8ts/busybox:1.36').inspect().then(() => true, () => false);
  if (!present) await AgentHarness.images();
  await h.start(NODE);
});
after(() => h.cleanup());

async function running(name: string): Promise<Pod> {
  return waitFor(`${name} Running`, async () => {
    const p = await getPod(client, name);
    return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running) && p;
  }, 30_000);
}

const cid = (p: Pod) => (containerStatus(p, 'c')?.containerID ?? '').replace('docker://', '');

/** dockerd's pid in this (the engine's) PID namespace. */
function dockerdPid(): string {
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'dockerd') return d;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no dockerd process visible to the test');
}

const sleeper = (securityContext?: object) => [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'], ...(securityContext ? { securityContext } : {}) }];

test('hostPID and hostIPC put the pod in the host namespaces; no-new-privileges and a sysctl are applied', async () => {
  await client.create('pods', podSpec('host', NODE, { hostPID: true, hostIPC: true, containers: sleeper({ allowPrivilegeEscalation: false }) }));
  await client.create('pods', podSpec('plain', NODE, { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] }, containers: sleeper() }));
  const host = cid(await running('host'));
  const plain = cid(await running('plain'));
  const comms = async (id: string) => (await execIn(id, ['sh', '-c', 'cat /proc/[0-9]*/comm'])).out.split('\n');
  assert.ok((await comms(host)).includes('dockerd'), 'the hostPID pod sees the engine\'s processes');
  assert.ok(!(await comms(plain)).includes('dockerd'), 'a pod without hostPID does not');
  const hostIpc = readlinkSync(`/proc/${dockerdPid()}/ns/ipc`);
  assert.equal((await execIn(host, ['readlink', '/proc/self/ns/ipc'])).out.trim(), hostIpc);
  assert.notEqual((await execIn(plain, ['readlink', '/proc/self/ns/ipc'])).out.trim(), hostIpc);
  assert.match((await execIn(host, ['cat', '/proc/self/status'])).out, /NoNewPrivs:\s+1/);
  assert.match((await execIn(plain, ['cat', '/proc/self/status'])).out, /NoNewPrivs:\s+0/);
  assert.equal((await execIn(plain, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start'])).out.trim(), '0');
});

test('runAsNonRoot with an image that runs as root: CreateContainerConfigError, nothing started; with runAsUser it runs as that user', async () => {
  await client.create('pods', podSpec('nonroot', NODE, { securityContext: { runAsNonRoot: true }, containers: sleeper() }));
  const p = await waitFor('CreateContainerConfigError', async () => {
    const pod = await getPod(client, 'nonroot');
    return containerStatus(pod, 'c')?.state?.waiting?.reason === 'CreateContainerConfigError' && pod;
  });
  assert.match(containerStatus(p, 'c')?.state?.waiting?.message ?? '', /^container has runAsNonRoot and image will run as root \(pod: "nonroot_default\(.+\)", container: c\)$/);
  assert.equal((await h.containersOf(p)).filter((c) => c.Labels['io.k8ts.container.kind'] !== 'sandbox').length, 0);
  await client.create('pods', podSpec('user', NODE, { securityContext: { runAsNonRoot: true, runAsUser: 1234, runAsGroup: 2345, supplementalGroups: [3456] }, containers: sleeper() }));
  const id = cid(await running('user'));
  assert.equal((await execIn(id, ['id'])).out.trim().replace(/\([^)]*\)/g, ''), 'uid=1234 gid=2345 groups=2345,3456');
});
