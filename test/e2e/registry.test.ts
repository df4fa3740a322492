// The cluster registry end to end on `k8ts up` (two agents on the host's engine): images published with `k8ts images
// push` and pulled by the agent through the registry (a `:latest` image moved to another image
// between two pods, a user's image under localhost:PORT/…), the registry killed while a pod
// pulls (ErrImagePull/ImagePullBackOff with the reason in status and events, `k8ts status`
// says so) and the pod starting once it is back, and bad input to `k8ts images push`
// refused with nothing half-done. Every image it pushes is removed from the engine before its
// pod runs, so the pod can only have it from the registry. Own home, ports, network, subnet
// and node names; `k8ts down --purge` (or, should the CLI fail, the pid files) ends it all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { until } from '../support/until.js';
import { freePort, freePortRun } from '../support/ports.js';
import { freeOctets } from '../support/ranges.js';
import { freeOpsOffset } from '../soak/cluster.js';
import { registryCatalog } from '../../packages/cli/src/registry/process.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'k8ts-e2e-reg-'));
const prefix = 'e2e-reg';
const network = 'k8ts-e2e-reg';
const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
const kubectlBin = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : 'kubectl';
const docker = new Docker();
const has = async (cmd: string) => run(cmd, ['--version']).then(() => true, () => false);
const skip = (await has('docker-registry')) ? false : 'needs docker-registry (apt-get install docker-registry)';
/** Local names this test gives images; removed (names only) at the end. */
const APP = `${prefix}/app`;
let registryPort = 0;
const userImage = () => `localhost:${registryPort}/${prefix}/web:1`;

async function k8ts(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env, timeout: 300_000 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: x.stdout ?? '', stderr: x.stderr ?? '', code: typeof x.code === 'number' ? x.code : -1 };
  }
}
async function k8tsOk(...args: string[]): Promise<string> {
  const r = await k8ts(...args);
  if (r.code !== 0) throw new Error(`k8ts ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const kubectl = async (...args: string[]) => (await run(kubectlBin, args, { cwd: root, env, timeout: 60_000 })).stdout;
const kjson = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json'));
const eventually = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, fn, timeoutMs, 500);

const imageId = async (name: string) => (await docker.getImage(name).inspect()).Id;
/** Tags `source` as `name` locally, pushes it with the CLI, then takes the local name away again. */
async function publish(source: string, name: string): Promise<string> {
  const [repo, tag] = [name.slice(0, name.lastIndexOf(':')), name.slice(name.lastIndexOf(':') + 1)];
  await docker.getImage(source).tag({ repo, tag });
  const out = await k8tsOk('images', 'push', name);
  await docker.getImage(name).remove({ noprune: true });
  return out;
}
/** A pod that sleeps (both test images have busybox's sleep), on a node when one is named. */
async function runPod(name: string, image: string, policy?: string, node?: string): Promise<void> {
  const on = node ? ['--overrides', JSON.stringify({ spec: { nodeName: node } })] : [];
  await kubectl('run', name, `--image=${image}`, ...(policy ? [`--image-pull-policy=${policy}`] : []), ...on, '--restart=Never', '--command', '--', 'sleep', '3600');
}
const running = (name: string) => eventually(`pod ${name} Running`, async () => {
  const p = await kjson('get', 'pod', name);
  return p.status?.phase === 'Running' && p;
}, 120_000);
const eventsOf = async (pod: string) => (await kjson('get', 'events', '--field-selector', `involvedObject.name=${pod}`)).items as any[];

before(async () => {
  if (skip) return;
  const [a, b, c] = await freeOctets(docker);
  const [etcd] = await freePortRun(3);
  registryPort = await freePort();
  await k8tsOk(
    'up', '--agents', '2', '--node-prefix', prefix,
    '--api-port', String(await freePort()), '--grpc-port', String(await freePort()), '--etcd-port', String(etcd),
    '--network', network, '--subnet', `10.${a}.0.0/16`, '--service-range', `10.${b}.0.0/16`, '--lb-pool', `10.${c}.0.0/24`,
    '--ops-port-offset', String(await freeOpsOffset(2)), '--registry-port', String(registryPort), '--timeout', '180',
  );
});

after(async () => {
  if (skip) return;
  const down = await k8ts('down', '--purge');
  if (down.code !== 0) console.error(down.stderr);
  // Should the CLI have failed: the processes its pid files name, by pid.
  const { Home } = await import('../../packages/cli/src/home.js');
  const { listProcesses, stopProcess } = await import('../../packages/cli/src/processes.js');
  for (const name of listProcesses(new Home(home))) await stopProcess(new Home(home), name).catch(() => undefined);
  const left = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } });
  for (const c of left.filter((c) => c.Labels['io.k8ts.node']?.startsWith(prefix))) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const n of (await docker.listNetworks({ filters: { name: [network] } })).filter((n) => n.Name === network)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  // Names only: the images are k8ts/hello's and k8ts/busybox's, which stay.
  const ours = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(`${prefix}/`) || t.includes(`:${registryPort}/`));
  for (const t of ours) await docker.getImage(t).remove({ noprune: true }).catch(() => undefined);
  const { rmSync } = await import('node:fs');
  rmSync(home, { recursive: true, force: true });
});

test('a :latest image (Always by default) is pulled through the registry each time: a new pod gets what the tag names now', { skip }, async () => {
  const hello = await imageId('k8ts/hello:1.0');
  const busybox = await imageId('k8ts/busybox:1.36');
  await publish('k8ts/hello:1.0', `${APP}:latest`);
  await runPod('latest-1', APP);
  const p1 = await running('latest-1');
  assert.equal(p1.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(p1.status.containerStatuses[0].imageID, `docker://${hello}`);
  const events = await eventsOf('latest-1');
  assert.ok(events.some((e) => e.reason === 'Pulled' && e.message.includes(`"${APP}"`)), JSON.stringify(events.map((e) => e.message)));

  // Another image under the same tag: the next pod pulls it, the running one keeps its own.
  await publish('k8ts/busybox:1.36', `${APP}:latest`);
  await runPod('latest-2', APP);
  const p2 = await running('latest-2');
  assert.equal(p2.status.containerStatuses[0].imageID, `docker://${busybox}`);
  assert.equal((await kjson('get', 'pod', 'latest-1')).status.containerStatuses[0].imageID, `docker://${hello}`);
  await kubectl('delete', 'pod', 'latest-1', 'latest-2', '--wait=false');
});

test('two nodes on one engine pulling the same new image through the registry at once both run it', { skip }, async () => {
  await publish('k8ts/hello:1.0', `${APP}:both`);
  await Promise.all([1, 2].map((i) => runPod(`both-${i}`, `${APP}:both`, 'Always', `${prefix}-${i}`)));
  for (const i of [1, 2]) assert.equal((await running(`both-${i}`)).status.containerStatuses[0].imageID, `docker://${await imageId('k8ts/hello:1.0')}`);
  // The engine holds it under the pod's name only, not under the registry's.
  const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []);
  assert.ok(tags.includes(`${APP}:both`) && !tags.some((t) => t.includes(`:${registryPort}/`)), tags.join(' '));
  await kubectl('delete', 'pod', 'both-1', 'both-2', '--wait=false');
});

test('a user\'s image pushed as localhost:PORT/NAME:TAG runs under that name', { skip }, async () => {
  const out = await publish('k8ts/hello:1.0', userImage());
  assert.match(out, new RegExp(`pushed ${userImage()} as 127\\.0\\.0\\.1:${registryPort}/${prefix}/web:1 \\(sha256:[0-9a-f]{64}\\)`));
  await runPod('user-1', userImage(), 'IfNotPresent');
  const p = await running('user-1');
  assert.equal(p.status.containerStatuses[0].imageID, `docker://${await imageId('k8ts/hello:1.0')}`);
  await kubectl('delete', 'pod', 'user-1', '--wait=false');
});

test('the registry down while a pod pulls: ErrImagePull/ImagePullBackOff naming it, then the pod starts once it is back', { skip }, async () => {
  await publish('k8ts/hello:1.0', `${APP}:down`);
  await k8tsOk('chaos', 'kill', 'registry');
  try {
    const status = await k8ts('status');
    assert.notEqual(status.code, 0, 'status fails while the registry is down');
    assert.match(status.stdout, /registry\s+127\.0\.0\.1:\d+\s+stopped/);
    await runPod('down-1', `${APP}:down`, 'Always');
    const refused = `127.0.0.1:${registryPort}/v2/": dial tcp 127.0.0.1:${registryPort}: connect: connection refused`;
    const reasons = new Set<string>();
    await eventually('ErrImagePull then ImagePullBackOff, naming the registry', async () => {
      const w = (await kjson('get', 'pod', 'down-1')).status?.containerStatuses?.[0]?.state?.waiting;
      if (w?.reason === 'ErrImagePull') assert.ok(w.message.includes(refused), w.message);
      if (w?.reason === 'ImagePullBackOff') assert.equal(w.message, `Back-off pulling image "${APP}:down"`);
      if (w?.reason) reasons.add(w.reason);
      return reasons.has('ImagePullBackOff');
    }, 60_000);
    const failed = (await eventsOf('down-1')).find((e) => e.reason === 'Failed');
    assert.ok(failed?.message.includes(`failed to pull and unpack image "${APP}:down": cluster registry 127.0.0.1:${registryPort}`) && failed.message.includes(refused), failed?.message);
    assert.equal(failed.type, 'Warning');
    await eventually('the BackOff event', async () => (await eventsOf('down-1')).some((e) => e.reason === 'BackOff' && e.message === `Back-off pulling image "${APP}:down"`), 30_000);
  } finally {
    await k8tsOk('chaos', 'restart', 'registry');
  }
  const p = await running('down-1');
  assert.equal(p.status.containerStatuses[0].imageID, `docker://${await imageId('k8ts/hello:1.0')}`);
  assert.equal((await k8ts('status')).code, 0);
  await kubectl('delete', 'pod', 'down-1', '--wait=false');
});

test('bad input to `k8ts images push`: a clear error, a non-zero exit, nothing tagged or pushed', { skip }, async () => {
  const catalog = async () => (await registryCatalog(`127.0.0.1:${registryPort}`))!;
  const tags = async () => (await docker.listImages()).flatMap((i) => i.RepoTags ?? []).filter((t) => t.includes(`:${registryPort}/`)).sort();
  const [reposBefore, tagsBefore] = [await catalog(), await tags()];
  await docker.getImage('k8ts/hello:1.0').tag({ repo: `${prefix}/good`, tag: '1' });
  for (const [args, message] of [
    [[`${prefix}/missing:1`], `no image "${prefix}/missing:1" in the local Docker engine`],
    [['Not//A-Name'], 'invalid image reference "Not//A-Name"'],
    [[`${prefix}/good:-bad`], 'is not a tag'],
    [['quay.io/x/y:1'], 'names the registry quay.io'],
    // One good and one missing: neither is pushed.
    [[`${prefix}/good:1`, `${prefix}/missing:2`], `no image "${prefix}/missing:2"`],
  ] as const) {
    const r = await k8ts('images', 'push', ...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(await catalog(), reposBefore);
  assert.deepEqual(await tags(), tagsBefore);
  await docker.getImage(`${prefix}/good:1`).remove({ noprune: true });
});
