// The compose cluster end to end, as a user runs it: docker-compose.yml brought up from the
// built image (its own project, ports, subnet, network, chain prefix, node names and state
// dir through the file's K8TS_COMPOSE_* variables, so it never touches a user's cluster),
// three Ready nodes, a Deployment with a Service through the real kubectl, `docker kill` of
// one agent container, the replicas Running and Ready on the other nodes with the Service
// answering throughout; then `k8ts down --compose` and a check that nothing is left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { httpGet, startProber, waitFor as eventually } from '../integration/helpers/netfixture.js';
import { freeOctets } from '../support/ranges.js';
import { freePort } from '../support/ports.js';
import { composeCommand } from '../../packages/cli/src/compose/command.js';
import { ComposeTarget } from '../../packages/cli/src/target/compose.js';
import { composeSettings } from '../../packages/cli/src/compose/settings.js';
import { serviceContainer } from '../../packages/cli/src/compose/containers.js';
import { etcdMemberStatus, readEtcdHealthcheckClient } from '../../packages/cli/src/compose/etcd.js';
import https from 'node:https';
import tls from 'node:tls';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const docker = new Docker();
const id = `${process.pid}${Date.now().toString(36).slice(-4)}`;
const project = `k8tse2e${id}`;
const nodePrefix = 'ce2e';
const nodes = [1, 2, 3].map((i) => `${nodePrefix}-${i}`);
const network = `k8ts-e2e-compose-${id}`;
const chainPrefix = 'KCE2E';
const stateDir = mkdtempSync(join(tmpdir(), 'k8ts-compose-e2e-'));
const kubeconfig = join(stateDir, 'kubeconfig');
const kubectlBin = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : 'kubectl';
const ns = 'compose-e2e';
// The same suite runs under Compose v1 and v2 (compose-v2.test.ts): the name says which.
const via = composeCommand().join(' ');
const it = (name: string, fn: () => Promise<void>) => test(`${name} [${via}]`, fn);
// Under compose-v2.test.ts (a second run, the machine's own Compose being v1), the etcd checks
// are left to the first run: they exercise etcd and its certificates, which no Compose changes.
const secondRun = process.env.K8TS_COMPOSE_SECOND_RUN === '1';
const etcdIt = (name: string, fn: () => Promise<void>) => test(`${name} [${via}]`, { skip: secondRun ? 'etcd is checked in the run under the machine\'s own Compose' : false }, fn);
let env: NodeJS.ProcessEnv = {};



async function compose(...args: string[]): Promise<string> {
  const [cmd, ...pre] = composeCommand();
  const { stdout, stderr } = await run(cmd!, [...pre, '-f', 'docker-compose.yml', '-p', project, ...args], { cwd: root, env, timeout: 180_000 });
  return stdout + stderr;
}

async function k8ts(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env, timeout: 180_000 });
  return stdout;
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlBin, args, { cwd: root, env: { ...env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
  return stdout;
}

async function kjson(...args: string[]): Promise<any> {
  return JSON.parse(await kubectl(...args, '-o', 'json'));
}

const isReady = (c: any[] | undefined) => (c ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
const podReady = (p: any) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && isReady(p.status?.conditions);

let upMs = 0;
let t0Up = 0;
let upDone: Promise<void> = Promise.resolve();

const errorLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => /error|failed|unhealthy|didn't complete/i.test(l) && !/^Command failed/.test(l))
    .join(' | ') || out.split('\n').slice(-3).join(' | ');
let netPrefix = '';
let serviceRange = '';
let lbPool = '';

before(async () => {
  // Built (deploy/compose-images.sh, ≈ 1.5 min) when missing or built from other sources.
  await run('bash', ['deploy/compose-images.sh', '--if-changed'], { cwd: root, timeout: 600_000 });
  env = {
    ...process.env,
    K8TS_COMPOSE_PROJECT: project,
    K8TS_COMPOSE_API_PORT: String(await freePort()),
    K8TS_COMPOSE_GRPC_PORT: String(await freePort()),
    K8TS_COMPOSE_PROXY_OPS_PORT: String(await freePort()),
    K8TS_COMPOSE_INGRESS_PORT: String(await freePort()),
    K8TS_COMPOSE_NETWORK: network,
    K8TS_COMPOSE_CHAIN_PREFIX: chainPrefix,
    K8TS_COMPOSE_NODE_PREFIX: nodePrefix,
    K8TS_COMPOSE_STATE_DIR: stateDir,
  };
  // `up -d` creates the network first: a subnet another suite took meanwhile fails there, at
  // once and alone, and is tried again with other ranges.
  let t0 = 0;
  for (let attempt = 1; ; attempt++) {
    const [a, b, c] = await freeOctets(docker);
    netPrefix = `10.${a}`;
    serviceRange = `10.${b}.0.0/16`;
    lbPool = `10.${c}.0.0/24`;
    Object.assign(env, { K8TS_COMPOSE_NET: netPrefix, K8TS_COMPOSE_SERVICE_RANGE: serviceRange, K8TS_COMPOSE_LB_POOL: lbPool });
    t0 = Date.now();
    let upError: Error | undefined;
    const up = compose('up', '-d', '--no-build').catch((e: Error) => {
      upError = e;
    });
    // compose's own ERROR lines first: the progress lines before them fill any excerpt.
    const failed = () => (upError ? new Error(`compose up failed: ${errorLines(upError.message)}\n${upError.message}`) : undefined);
    // Waiting stops as soon as compose up fails (it never settles on success).
    const upFailed = up.then(() => (failed() ? Promise.reject(failed()) : new Promise<never>(() => {})));
    upDone = up.then(() => {
      if (failed()) throw failed();
    });
    upDone.catch(() => {}); // reported by the test that awaits it
    try {
      await Promise.race([
        upFailed,
        (async () => {
          await eventually('a kubeconfig', async () => {
            writeFileSync(kubeconfig, await k8ts('kubeconfig', '--compose', '--project', project), { mode: 0o600 });
            return true;
          }, 90_000);
          await eventually('three Ready nodes', async () => (await kjson('get', 'nodes')).items.filter((n: any) => isReady(n.status?.conditions)).length === 3, 120_000);
        })(),
      ]);
    } catch (e) {
      if (attempt < 3 && /Pool overlaps|port is already allocated|address already in use/.test((e as Error).message)) {
        console.log(`compose up: ${errorLines((e as Error).message)}; again with other ranges and ports`);
        await compose('down', '-v', '--remove-orphans').catch(() => {});
        for (const k of ['K8TS_COMPOSE_API_PORT', 'K8TS_COMPOSE_GRPC_PORT', 'K8TS_COMPOSE_PROXY_OPS_PORT', 'K8TS_COMPOSE_INGRESS_PORT']) env[k] = String(await freePort());
        continue;
      }
      const logs = await compose('logs', '--no-color', '--tail', '15', 'init', 'apiserver').catch((le: Error) => le.message);
      throw new Error(`${(e as Error).message}\n--- compose logs init apiserver ---\n${logs}`);
    }
    break;
  }
  upMs = Date.now() - t0;
  t0Up = t0;
  // `up -d` returns only after `info` ran (the agents' first healthchecks, 10 s apart); the
  // tests go on meanwhile, the last one waits for it.
  console.log(`compose up -d → 3 Ready nodes: ${(upMs / 1000).toFixed(1)} s`);
});

after(async () => {
  await upDone.catch(() => {});
  await k8ts('down', '--compose', '--project', project).catch((e) => console.error(`down failed: ${e.message}`));
  // Whatever down missed, by this test's labels and names.
  const left = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  const pods = (await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } })).filter((c) => nodes.includes(c.Labels['io.k8ts.node'] ?? ''));
  for (const c of [...pods, ...left]) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  for (const n of (await docker.listNetworks({ filters: { name: [network] } })).filter((n) => n.Name === network)) await docker.getNetwork(n.Id).remove().catch(() => {});
  const vols = await docker.listVolumes({ filters: { label: [`com.docker.compose.project=${project}`] } });
  for (const v of vols.Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => {});
  if (serviceRange && (await run('iptables-save', [])).stdout.includes(`${chainPrefix}-`)) {
    await run(process.execPath, ['--import', 'tsx', 'packages/proxy/src/main.ts', '--cleanup', '--chain-prefix', chainPrefix, '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool, '--state-dir', join(stateDir, 'proxy')], { cwd: root }).catch((e) => console.error(e.message));
  }
  rmSync(stateDir, { recursive: true, force: true });
});

it('three Ready nodes named from the compose file, with their labels', async () => {
  const list = await kjson('get', 'nodes');
  assert.deepEqual(list.items.map((n: any) => n.metadata.name).sort(), nodes);
  for (const n of list.items) assert.equal(n.metadata.labels['k8ts.io/compose'], 'true');
  assert.ok(upMs < 150_000, `up took ${upMs} ms`);
  // Two schedulers and two controller-managers: one of each leads through its Lease. The
  // nodes can be Ready before a component that started beside them has won its first
  // election on a loaded machine (a CI run saw no controller-manager Lease at 17.6 s), so the
  // leaders get a while longer; if none shows, their logs say why.
  const holders = async () => {
    const leases = await kjson('-n', 'kube-system', 'get', 'leases');
    const holder = (name: string) => leases.items.find((l: any) => l.metadata.name === name)?.spec?.holderIdentity ?? '';
    return { scheduler: holder('k8ts-scheduler'), controllerManager: holder('k8ts-controller-manager') };
  };
  let h = { scheduler: '', controllerManager: '' };
  await eventually('both leaders', async () => {
    h = await holders();
    return h.scheduler && h.controllerManager;
  }, 45_000).catch(() => {}); // the check below says what was seen
  const why = async () => compose('logs', '--no-color', '--tail', '20', 'scheduler-1', 'scheduler-2', 'controller-manager-1', 'controller-manager-2').catch((e: Error) => e.message);
  if (!/^scheduler-[12]_/.test(h.scheduler) || !/^controller-manager-[12]_/.test(h.controllerManager)) {
    assert.fail(`leaders ${JSON.stringify(h)} after ${((Date.now() - t0Up) / 1000).toFixed(1)} s\n--- compose logs ---\n${await why()}`);
  }
});

it('a Deployment behind a Service survives `docker kill` of an agent container', async () => {
  await kubectl('create', 'namespace', ns);
  const manifest = join(stateDir, 'web.yaml');
  writeFileSync(
    manifest,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: ns },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: {
                containers: [{ name: 'hello', image: 'k8ts/hello:1.0', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }],
              },
            },
          },
        },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
      ],
    }),
  );
  await kubectl('apply', '-f', manifest);
  const pods = await eventually('3 ready pods', async () => {
    const r = (await kjson('-n', ns, 'get', 'pods', '-l', 'app=web')).items.filter(podReady);
    return r.length === 3 ? r : undefined;
  }, 90_000);
  for (const p of pods) assert.ok(p.status.podIP.startsWith(`${netPrefix}.`), `pods get addresses on the compose network (${p.status.podIP})`);
  const vip = (await kjson('-n', ns, 'get', 'svc', 'web')).spec.clusterIP as string;
  assert.ok(vip.startsWith(serviceRange.replace(/0\.0\/16$/, '')), `ClusterIP ${vip} in ${serviceRange}`);
  await eventually('the ClusterIP answers from the host', async () => (await httpGet(vip, 80)).startsWith('hello from web-'), 30_000);
  // Cluster DNS from inside a pod (dnsPolicy ClusterFirst, the dns service's fixed address).
  const lookup = await kubectl('-n', ns, 'exec', pods[0].metadata.name, '--', 'nslookup', '-type=a', `web.${ns}.svc.cluster.local`);
  const answer = lookup.slice(lookup.indexOf('Name:'));
  assert.deepEqual([...answer.matchAll(/^Address:\s*(\S+)/gm)].map((m) => m[1]), [vip], lookup);

  // As a user does: the fault comes after `up -d` has returned (its last step waits for the
  // agents' healthchecks, and a container killed before that fails it).
  await upDone;
  const victim = pods[0].spec.nodeName as string;
  const agent = `agent-${nodes.indexOf(victim) + 1}`;
  const container = (await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${agent}`] } }))[0];
  assert.ok(container, `the container of ${agent}`);
  assert.equal(container.Labels['io.k8ts.compose.node'], victim);

  const prober = startProber(() => httpGet(vip, 80).then(() => true));
  await run('docker', ['kill', container.Id]);
  const killedAt = Date.now();
  const moved = await eventually('3 ready replicas off the killed node', async () => {
    const r = (await kjson('-n', ns, 'get', 'pods', '-l', 'app=web')).items.filter((p: any) => podReady(p) && p.spec.nodeName !== victim);
    return r.length >= 3 ? r : undefined;
  }, 90_000);
  const recoveredMs = Date.now() - killedAt;
  const { requests, failures } = await prober.stop();
  console.log(`docker kill ${agent} (${victim}): 3 replicas Running and Ready on the other nodes after ${(recoveredMs / 1000).toFixed(1)} s; ${failures}/${requests} requests to the ClusterIP failed meanwhile`);
  assert.equal(moved.length, 3);
  const node = await kjson('get', 'node', victim);
  assert.ok(!isReady(node.status.conditions), `${victim} is not Ready`);
  assert.ok(node.spec.taints?.some((t: any) => t.key === 'node.kubernetes.io/unreachable'), 'the dead node is tainted unreachable');
  assert.ok(requests > 10 && failures <= requests * 0.1, `the Service kept answering (${failures}/${requests} failed)`);
});

etcdIt('etcd takes only clients with a certificate of its own CA; the CLI finds the raft leader over TLS', async () => {
  const target = new ComposeTarget(composeSettings(project, env));
  let leader: string | undefined;
  await eventually('an etcd leader', async () => !!(leader = await target.etcdLeader()), 30_000);
  assert.match(leader!, /^etcd-[123]$/);
  const member = (await serviceContainer(project, 'etcd-1'))!;
  const ip = Object.values(member.NetworkSettings?.Networks ?? {})[0]!.IPAddress;
  const client = await readEtcdHealthcheckClient(member.Id);
  assert.ok((await etcdMemberStatus(ip, 'etcd-1', client))?.memberId, 'the healthcheck client is let in');
  // The member's serving certificate is checked (its CA, its name); only the client certificate is missing.
  const refused = await new Promise<string>((resolve) => {
    const req = https.request({ host: ip, port: 2379, path: '/v3/maintenance/status', method: 'POST', ca: client.ca, servername: 'etcd-1', checkServerIdentity: (_h, cert) => tls.checkServerIdentity('etcd-1', cert) }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end('{}');
  });
  assert.equal(refused, 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
});

etcdIt('`k8ts drill etcd-member-kill --compose`: one etcd member dies under write load, no acknowledged write is lost', async () => {
  const out = mkdtempSync(join(tmpdir(), 'k8ts-compose-drill-'));
  try {
    // Exits non-zero (and run() throws) unless every check passed; then the report says which failed.
    await k8ts('drill', 'etcd-member-kill', '--compose', '--project', project, '--replicas', '2', '--out', out).catch((err: Error) => {
      const failed = existsSync(join(out, 'report.json')) ? JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).checks.filter((c: { ok: boolean }) => !c.ok) : 'no report';
      throw new Error(`${err.message}\nfailed checks: ${JSON.stringify(failed)}\nreport: ${existsSync(join(out, 'report.md')) ? readFileSync(join(out, 'report.md'), 'utf8') : '-'}`);
    });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.passed, true);
    const writes = report.checks.find((c: { name: string }) => /acknowledged write/.test(c.name));
    assert.ok(writes?.ok, `acknowledged writes kept: ${writes?.detail}`);
    assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'report.md')));
    const members = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
    assert.equal(members.filter((c) => /^etcd-\d$/.test(c.Labels['com.docker.compose.service'] ?? '')).length, 3, 'the killed member is running again');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

it('`k8ts down --compose` leaves no container, network, volume, rule or state behind', async () => {
  await upDone; // compose up -d itself succeeded (the one-shot info service ran)
  const out = await k8ts('down', '--compose', '--project', project);
  assert.match(out, new RegExp(`compose cluster ${project} is down`));
  const containers = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  assert.deepEqual(containers.map((c) => c.Names[0]), []);
  const pods = (await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } })).filter((c) => nodes.includes(c.Labels['io.k8ts.node'] ?? ''));
  assert.deepEqual(pods.map((c) => c.Names[0]), []);
  assert.equal((await docker.listNetworks({ filters: { name: [network] } })).filter((n) => n.Name === network).length, 0);
  assert.equal((await docker.listVolumes({ filters: { label: [`com.docker.compose.project=${project}`] } })).Volumes?.length ?? 0, 0);
  const rules = (await run('iptables-save', [])).stdout.split('\n').filter((l) => l.includes(`${chainPrefix}-`));
  assert.deepEqual(rules, []);
  const { stdout: routes } = await run('ip', ['-4', 'route', 'show']);
  assert.ok(!routes.split('\n').some((r) => r.startsWith(serviceRange) || r.startsWith(lbPool)), 'service routes removed');
  assert.ok(!existsSync(stateDir), 'state dir deleted');
});
