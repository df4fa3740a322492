// The real kubectl (1.32, with a smoke run of 1.27 and 1.33) against a real etcd and the
// real apiserver, with a fake agent on the other end of the stream tunnel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { startKubectlCluster, freePort, type KubectlCluster } from './kubectl-cluster.js';
import { startFakeAgent, type FakeAgent } from './fake-agent.js';
import { nodeIdentity } from '../support/identities.js';

const BIN = (minor: number) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
let cluster: KubectlCluster;
let agent: FakeAgent;
let home: string;

before(async () => {
  cluster = await startKubectlCluster();
  agent = await startFakeAgent(cluster.grpcAddress, cluster.tokenFor(nodeIdentity('node-1')), 'node-1');
  // kubectl keeps its discovery cache under $HOME/.kube: give it a fresh one.
  home = join(cluster.dir, 'home');
  mkdirSync(home);
});

after(async () => {
  agent?.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the fake agent, as system:node:node-1, was refused nothing');
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], opts: { minor?: number; input?: string; kubeconfig?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      BIN(opts.minor ?? 32),
      ['--kubeconfig', opts.kubeconfig ?? cluster.kubeconfig, ...args],
      { env: { PATH: process.env.PATH, HOME: home }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

async function ok(args: string[], opts: { minor?: number; input?: string } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function manifest(name: string, text: string): string {
  const p = join(cluster.dir, name);
  writeFileSync(p, text);
  return p;
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: demo
  labels: {app: web, env: prod}
spec:
  containers:
  - name: nginx
    image: nginx
    ports: [{containerPort: 80}]
  - name: sidecar
    image: busybox
    command: [sleep, "3600"]
`;

test('version and discovery', async () => {
  const v = JSON.parse(await ok(['version', '-o', 'json']));
  assert.equal(v.serverVersion.major, '1');
  assert.equal(v.serverVersion.minor, '32');
  assert.match(v.serverVersion.gitVersion, /k8ts/);
  const resources = await ok(['api-resources']);
  assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  const wrong = manifest('wrong-kubeconfig', (await import('node:fs')).readFileSync(cluster.kubeconfig, 'utf8').replace(cluster.token, 'not-the-token'));
  const denied = await kubectl(['get', 'pods'], { kubeconfig: wrong });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /You must be logged in to the server/);
});

test('namespace, apply, get -o yaml, labels, selectors, annotate', async () => {
  assert.match(await ok(['create', 'namespace', 'demo']), /namespace\/demo created/);
  assert.match(await ok(['apply', '-f', manifest('pod.yaml', POD)]), /pod\/web created/);
  const yaml = await ok(['get', 'po', 'web', '-n', 'demo', '-o', 'yaml']);
  assert.match(yaml, /name: nginx/);
  assert.match(yaml, /name: sidecar/);
  assert.match(yaml, /kubectl.kubernetes.io\/last-applied-configuration/);

  const table = await ok(['get', 'po', '-n', 'demo']);
  assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  assert.match(table, /^web\s+0\/2\s+Pending\s+0\s+\d+s$/m);
  assert.match(await ok(['get', 'po', '-n', 'demo', '--show-labels']), /^web\s+.*\s+app=web,env=prod$/m);
  const withL = await ok(['get', 'po', '-n', 'demo', '-L', 'env']);
  assert.match(withL, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+ENV$/m);
  assert.match(withL, /^web\s+.*\s+prod$/m);
  assert.match(await ok(['get', 'po', '-A']), /^demo\s+web\s+0\/2/m);
  assert.match(await ok(['get', 'po', '-n', 'demo', '-o', 'wide']), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);

  assert.match(await ok(['label', 'po', 'web', '-n', 'demo', 'env=debug', '--overwrite']), /pod\/web labeled/);
  const noEnv = await kubectl(['get', 'po', '-n', 'demo', '-l', '!env']);
  assert.match(noEnv.stderr, /No resources found in demo namespace/);
  const prod = await kubectl(['get', 'po', '-n', 'demo', '-l', 'env=prod']);
  assert.match(prod.stderr, /No resources found/);
  assert.match(await ok(['get', 'po', '-n', 'demo', '-l', 'env=debug', '-o', 'name']), /^pod\/web$/m);

  assert.match(await ok(['annotate', 'po', 'web', '-n', 'demo', 'note=hello']), /pod\/web annotated/);
  assert.equal(await ok(['get', 'po', 'web', '-n', 'demo', '-o', 'jsonpath={.metadata.annotations.note}']), 'hello');
  assert.match(await ok(['apply', '-f', manifest('pod.yaml', POD)]), /pod\/web configured/);
});

test('get -w prints an update made by another client', async () => {
  const child = spawn(BIN(32), ['--kubeconfig', cluster.kubeconfig, 'get', 'po', '-n', 'demo', '-w', '-L', 'round'], { env: { PATH: process.env.PATH, HOME: home } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  try {
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`watch output never matched ${re}: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(/^web\s/m);
    await cluster.api.registry.patch('pods', 'demo', 'web', 'application/merge-patch+json', JSON.stringify({ metadata: { labels: { round: 'r2' } } }));
    await until(/^web\s+.*\s+r2$/m);
    assert.equal((out.match(/^NAME/gm) ?? []).length, 1, 'one header for the whole watch');
  } finally {
    child.kill();
  }
});

test('an invalid manifest gives a readable error and stores nothing', async () => {
  const bad = await kubectl(['apply', '-f', manifest('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers: [{name: c}]\n')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The Pod "bad" is invalid: spec\.containers\[0\]\.image: Required value/);
  const missing = await kubectl(['get', 'po', 'bad']);
  assert.match(missing.stderr, /Error from server \(NotFound\): pods "bad" not found/);
});

test('list resourceVersion and resourceVersionMatch over REST (get --raw)', async () => {
  await ok(['create', 'namespace', 'rvlist']);
  await ok(['create', 'configmap', 'first', '-n', 'rvlist']);
  const rv1 = await ok(['get', 'cm', 'first', '-n', 'rvlist', '-o', 'jsonpath={.metadata.resourceVersion}']);
  await ok(['create', 'configmap', 'second', '-n', 'rvlist']);
  const raw = async (query: string) => JSON.parse(await ok(['get', '--raw', `/api/v1/namespaces/rvlist/configmaps?${query}`]));
  const names = (l: any) => l.items.map((i: any) => i.metadata.name).join(',');
  assert.equal(names(await raw('')), 'first,second');
  assert.equal(names(await raw(`resourceVersion=${rv1}&resourceVersionMatch=NotOlderThan`)), 'first,second');
  const exact = await raw(`resourceVersion=${rv1}&resourceVersionMatch=Exact`);
  assert.equal(names(exact), 'first');
  assert.equal(exact.metadata.resourceVersion, rv1);
  const invalid = await kubectl(['get', '--raw', '/api/v1/namespaces/rvlist/configmaps?resourceVersionMatch=Exact']);
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /resourceVersionMatch is forbidden unless resourceVersion is provided/);
  const tooLarge = await kubectl(['get', '--raw', `/api/v1/namespaces/rvlist/configmaps?resourceVersion=${Number(rv1) + 100000}&resourceVersionMatch=NotOlderThan`]);
  assert.notEqual(tooLarge.code, 0);
  assert.match(tooLarge.stderr, /Too large resource version/);
});

test('nodes, describe with events, deployments created as protobuf and scaled', async () => {
  await cluster.api.registry.create('nodes', '', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }], nodeInfo: { kubeletVersion: 'v1.32.0-k8ts' } } as any,
  });
  assert.match(await ok(['get', 'nodes']), /^node-1\s+(Ready|NotReady)\s+<none>\s+\d+s\s+/m);
  assert.match(await ok(['cordon', 'node-1']), /cordoned/);
  assert.match(await ok(['get', 'nodes']), /^node-1\s+\S*SchedulingDisabled/m);
  assert.match(await ok(['describe', 'node', 'node-1']), /^Name:\s+node-1$/m);

  const pod = await cluster.api.registry.get('pods', 'demo', 'web');
  await cluster.api.registry.create('events', 'demo', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'demo' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'demo', uid: pod.metadata.uid, apiVersion: 'v1' },
    reason: 'Scheduled',
    message: 'Successfully assigned demo/web to node-1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    firstTimestamp: new Date().toISOString(),
    lastTimestamp: new Date().toISOString(),
    count: 1,
  });
  const described = await ok(['describe', 'po', 'web', '-n', 'demo']);
  assert.match(described, /^Name:\s+web$/m);
  assert.match(described, /^Containers:$/m);
  assert.match(described, /Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned demo\/web to node-1/);
  assert.match(await ok(['get', 'events', '-n', 'demo']), /^\d+s\s+Normal\s+Scheduled\s+pod\/web\s+Successfully assigned/m);

  assert.match(await ok(['create', 'deployment', 'nginx', '-n', 'demo', '--image=nginx', '--replicas=2']), /deployment.apps\/nginx created/);
  assert.match(await ok(['scale', 'deployment', 'nginx', '-n', 'demo', '--replicas=3']), /deployment.apps\/nginx scaled/);
  assert.equal(await ok(['get', 'deploy', 'nginx', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}']), '3');
  assert.match(await ok(['get', 'deploy', '-n', 'demo']), /^nginx\s+0\/3\s+0\s+0\s+\d+s$/m);
  assert.match(await ok(['describe', 'deploy', 'nginx', '-n', 'demo']), /^Replicas:\s+3 desired/m);
  assert.match(await ok(['create', 'configmap', 'cfg', '-n', 'demo', '--from-literal=a=1']), /configmap\/cfg created/);
  assert.match(await ok(['create', 'secret', 'generic', 'sec', '-n', 'demo', '--from-literal=a=1']), /secret\/sec created/);
  assert.match(await ok(['get', 'cm,secret', '-n', 'demo']), /configmap\/cfg\s+1\s+/);
  assert.match(await ok(['create', 'service', 'clusterip', 'web', '-n', 'demo', '--tcp=80:8080']), /service\/web created/);
  assert.match(await ok(['get', 'svc', 'web', '-n', 'demo']), /^web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
  assert.match(await ok(['create', 'job', 'once', '-n', 'demo', '--image=busybox', '--', 'echo', 'hi']), /job.batch\/once created/);
  assert.match(await ok(['create', 'cronjob', 'tick', '-n', 'demo', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date']), /cronjob.batch\/tick created/);
  assert.match(await ok(['get', 'cj', '-n', 'demo']), /^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m);
});

test('logs, exec and port-forward through the agent tunnel', async () => {
  await cluster.api.registry.create('pods', 'demo', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'bound', namespace: 'demo' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] },
  });
  const cur = await cluster.api.registry.get('pods', 'demo', 'bound');
  await cluster.api.registry.update('pods', 'demo', 'bound', { ...cur, status: { phase: 'Running', podIP: '10.213.0.9', podIPs: [{ ip: '10.213.0.9' }] } }, { subresource: 'status' });

  assert.equal(await ok(['logs', 'bound', '-n', 'demo']), 'log line 1 from main\nlog line 2\n');
  assert.equal(await ok(['logs', '-f', 'bound', '-n', 'demo']), 'log line 1 from main\nlog line 2\nlog line 3\n');
  assert.equal(await ok(['exec', 'bound', '-n', 'demo', '--', 'echo', 'hello', 'there']), 'hello there\n');
  assert.equal(await ok(['exec', '-i', 'bound', '-n', 'demo', '--', 'cat'], { input: 'one\ntwo\n' }), 'one\ntwo\n');
  const failed = await kubectl(['exec', 'bound', '-n', 'demo', '--', 'exit', '3']);
  assert.equal(failed.code, 3);
  const nope = await kubectl(['exec', 'web', '-n', 'demo', '-c', 'nginx', '--', 'echo']);
  assert.notEqual(nope.code, 0);

  await portForwardEcho(32);
  assert.deepEqual(agent.opened.filter((o) => o.kind === 'portforward').at(-1)?.params, { port: 8080 });
});

/** kubectl port-forward to the fake agent's echo: WebSocket-tunnelled SPDY from 1.30, plain SPDY before. */
async function portForwardEcho(minor: number): Promise<void> {
  const port = await freePort();
  const pf = spawn(BIN(minor), ['--kubeconfig', cluster.kubeconfig, 'port-forward', '-n', 'demo', 'pod/bound', `${port}:8080`], { env: { PATH: process.env.PATH, HOME: home } });
  try {
    let pfOut = '';
    pf.stdout.on('data', (d) => (pfOut += d));
    const deadline = Date.now() + 10_000;
    while (!pfOut.includes('Forwarding from 127.0.0.1')) {
      if (Date.now() > deadline) throw new Error(`port-forward did not start: ${pfOut}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const payload = Buffer.alloc(256 * 1024, 'x');
    const echoed = await new Promise<number>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => c.write(payload));
      let n = 0;
      c.on('data', (d) => {
        n += d.length;
        if (n >= payload.length) {
          c.end();
          resolve(n);
        }
      });
      c.on('error', reject);
      setTimeout(() => reject(new Error(`only ${n} bytes came back`)), 8000);
    });
    assert.equal(echoed, payload.length);
  } finally {
    pf.kill();
  }
}

test('kubectl 1.27 and 1.33 smoke', async () => {
  for (const minor of [27, 33]) {
    assert.match(await ok(['get', 'po', '-n', 'demo'], { minor }), /^web\s+/m);
    assert.match(await ok(['create', 'configmap', `cm-${minor}`, '-n', 'demo', '--from-literal=a=b'], { minor }), /created/);
    assert.match(await ok(['get', 'nodes', '-o', 'wide'], { minor }), /^node-1\s+/m);
    assert.equal(await ok(['exec', 'bound', '-n', 'demo', '--', 'echo', `v${minor}`], { minor }), `v${minor}\n`);
    assert.equal(await ok(['logs', 'bound', '-n', 'demo'], { minor }), 'log line 1 from main\nlog line 2\n');
    await portForwardEcho(minor);
  }
  assert.match(await ok(['apply', '-f', manifest('pod133.yaml', POD.replace('name: web', 'name: web133'))], { minor: 33 }), /created/);
  // kubectl 1.27 reads /openapi/v2 (protobuf) before it applies.
  const pod127 = manifest('pod127.yaml', POD.replace('name: web', 'name: web127'));
  assert.match(await ok(['apply', '-f', pod127], { minor: 27 }), /pod\/web127 created/);
  assert.match(await ok(['label', 'po', 'web127', '-n', 'demo', 'env=debug', '--overwrite'], { minor: 27 }), /labeled/);
  assert.match(await ok(['apply', '-f', pod127], { minor: 27 }), /pod\/web127 configured/);
  assert.equal(await ok(['get', 'po', 'web127', '-n', 'demo', '-o', 'jsonpath={.metadata.labels.env}'], { minor: 27 }), 'prod');
});

test('delete pods --all --grace-period=0 --force', async () => {
  const r = await ok(['delete', 'pods', '--all', '-n', 'demo', '--grace-period=0', '--force']);
  assert.match(r, /pod "web" force deleted/);
  assert.match(r, /pod "web127" force deleted/);
  const left = await kubectl(['get', 'po', '-n', 'demo']);
  assert.match(left.stderr, /No resources found in demo namespace/);
});
