// Pod Security admission through the real kubectl 1.32 against the real apiserver over etcd,
// started with the admission configuration `k8ts up` writes (baseline enforced, warned and
// audited; kube-system exempt): the issue's privileged pod refused with Kubernetes' message and
// admitted in a namespace labelled privileged; kube-system exempt; warnings for a Deployment in
// a namespace that warns at restricted; hostPID refused under baseline; an invalid label value
// refused; fields the agent cannot honour refused at every level; a stricter enforce label
// warning about the pods already there; a bad configuration file stopping the apiserver.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '@k8ts/apiserver';
import { ADMISSION_CONFIG } from '../../packages/cli/src/admission-config.js';
import { kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

let cluster: KubectlCluster;

before(async () => {
  cluster = await startKubectlCluster({ admissionConfig: ADMISSION_CONFIG });
});

after(async () => {
  await cluster?.stop();
});

const issuePod = (ns: string, name = 'root') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hostNetwork: true
  hostPID: true
  volumes:
  - name: host
    hostPath: {path: /}
  containers:
  - name: shell
    image: k8ts/busybox:1.36
    command: [sleep, "3600"]
    securityContext:
      privileged: true
      capabilities: {add: [SYS_ADMIN]}
    volumeMounts:
    - {name: host, mountPath: /host}
`;

const BASELINE_VIOLATIONS =
  'non-default capabilities (container "shell" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
  'host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host"), ' +
  'privileged (container "shell" must not set securityContext.privileged=true)';

const apply = (manifest: string) => runKubectl(cluster, ['apply', '-f', '-'], { input: manifest });

test('the privileged pod of the issue is refused under the baseline default, with Kubernetes\' message', async () => {
  const r = await apply(issuePod('default'));
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "STDIN": pods "root" is forbidden: violates PodSecurity "baseline:latest": ${BASELINE_VIOLATIONS}`);
  const get = await runKubectl(cluster, ['get', 'pod', 'root', '-n', 'default']);
  assert.match(get.stderr, /NotFound/);
});

test('the same pod is admitted in a namespace labelled enforce=privileged, with the baseline warning the default still gives', async () => {
  await kubectlOk(cluster, ['create', 'namespace', 'priv']);
  await kubectlOk(cluster, ['label', 'namespace', 'priv', 'pod-security.kubernetes.io/enforce=privileged']);
  const r = await apply(issuePod('priv'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod\/root created/);
  assert.equal(r.stderr.trim(), `Warning: would violate PodSecurity "baseline:latest": ${BASELINE_VIOLATIONS}`);
});

test('kube-system is exempt through the configuration file: no refusal, no warning', async () => {
  const r = await apply(issuePod('kube-system'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('a Deployment in a namespace that warns at restricted: admitted, kubectl prints the warning; templates are never enforced', async () => {
  await kubectlOk(cluster, ['create', 'namespace', 'warned']);
  await kubectlOk(cluster, ['label', 'namespace', 'warned', 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/enforce=restricted']);
  const r = await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: warned}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: k8ts/hello:1.0}
`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps\/web created/);
  assert.equal(
    r.stderr.trim(),
    'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), ' +
      'runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  // A restricted-compliant template passes without a warning.
  const ok = await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: hardened, namespace: warned}
spec:
  selector: {matchLabels: {app: hardened}}
  template:
    metadata: {labels: {app: hardened}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: web
        image: k8ts/hello:1.0
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stderr, '');
});

test('hostPID is refused under baseline (never silently ignored) and admitted where privileged', async () => {
  const pod = (ns: string) => `apiVersion: v1
kind: Pod
metadata: {name: pid, namespace: ${ns}}
spec:
  hostPID: true
  containers:
  - {name: c, image: k8ts/busybox:1.36, command: [sleep, "3600"]}
`;
  const refused = await apply(pod('default'));
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pods "pid" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostPID=true\)$/m);
  const admitted = await apply(pod('priv'));
  assert.equal(admitted.code, 0, admitted.stderr);
  const spec = JSON.parse(await kubectlOk(cluster, ['get', 'pod', 'pid', '-n', 'priv', '-o', 'json'])).spec;
  assert.equal(spec.hostPID, true);
});

test('an invalid level or version label is refused (422) and leaves the namespace as it was', async () => {
  await kubectlOk(cluster, ['create', 'namespace', 'labelled']);
  const r = await runKubectl(cluster, ['label', 'namespace', 'labelled', 'pod-security.kubernetes.io/enforce=bogus']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Namespace "labelled" is invalid: metadata\.labels\[pod-security\.kubernetes\.io\/enforce\]: Invalid value: "bogus": must be one of privileged, baseline, restricted/);
  const v = await runKubectl(cluster, ['label', 'namespace', 'labelled', 'pod-security.kubernetes.io/warn-version=1.30']);
  assert.match(v.stderr, /metadata\.labels\[pod-security\.kubernetes\.io\/warn-version\]: Invalid value: "1\.30": must be "latest" or "v1\.x"/);
  const created = await apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: badns, labels: {pod-security.kubernetes.io/audit: none}}\n');
  assert.match(created.stderr, /Namespace "badns" is invalid: metadata\.labels\[pod-security\.kubernetes\.io\/audit\]: Invalid value: "none"/);
  const labels = JSON.parse(await kubectlOk(cluster, ['get', 'namespace', 'labelled', '-o', 'json'])).metadata.labels ?? {};
  assert.equal(labels['pod-security.kubernetes.io/enforce'], undefined);
  assert.equal((await runKubectl(cluster, ['get', 'namespace', 'badns'])).code, 1);
  // A valid version label is taken.
  await kubectlOk(cluster, ['label', 'namespace', 'labelled', 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=v1.22']);
});

test('fields the agent cannot honour are refused even where everything is privileged', async () => {
  const r = await apply(`apiVersion: v1
kind: Pod
metadata: {name: selinux, namespace: priv}
spec:
  securityContext:
    seLinuxOptions: {level: "s0:c123,c456"}
  containers:
  - name: c
    image: k8ts/busybox:1.36
    securityContext:
      procMount: Unmasked
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
`);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods? "selinux" is invalid/i);
  assert.match(r.stderr, /spec\.securityContext\.seLinuxOptions: Forbidden: not supported by k8ts \(Docker engine without SELinux\)/);
  assert.match(r.stderr, /spec\.containers\[0\]\.securityContext\.seccompProfile\.type: Forbidden: not supported by k8ts/);
  assert.match(r.stderr, /spec\.containers\[0\]\.securityContext\.procMount: Forbidden: not supported by k8ts/);
  const d = await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: userns, namespace: priv}
spec:
  selector: {matchLabels: {app: u}}
  template:
    metadata: {labels: {app: u}}
    spec:
      hostUsers: false
      containers:
      - {name: c, image: k8ts/busybox:1.36}
`);
  assert.match(d.stderr, /spec\.template\.spec\.hostUsers: Forbidden: not supported by k8ts \(user namespaces are not supported\)/);
});

test('tightening a namespace to baseline warns about the pods already there', async () => {
  const r = await runKubectl(cluster, ['label', '--overwrite', 'namespace', 'priv', 'pod-security.kubernetes.io/enforce=baseline']);
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.trim().split('\n');
  assert.deepEqual(warnings, [
    'Warning: existing pods in namespace "priv" violate the new PodSecurity enforce level "baseline:latest"',
    'Warning: pid: host namespaces',
    'Warning: root: non-default capabilities, host namespaces, hostPath volumes, privileged',
  ]);
});

test('an admission configuration file with errors stops the apiserver with a message naming them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-psa-config-'));
  try {
    const file = join(dir, 'admission.yaml');
    writeFileSync(file, ADMISSION_CONFIG.replace('enforce: baseline', 'enforce: strict').replace('namespaces: [kube-system]', 'namespaces: [kube-system, kube-system]'));
    await assert.rejects(
      startApiServer({ etcdServers: ['http://127.0.0.1:1'], port: 0, grpcPort: 0, admissionControlConfigFile: file }),
      (e: Error) => /defaults\.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted/.test(e.message) && /exemptions\.namespaces\[1\]: Duplicate value: "kube-system"/.test(e.message),
    );
    await assert.rejects(startApiServer({ etcdServers: ['http://127.0.0.1:1'], port: 0, grpcPort: 0, admissionControlConfigFile: join(dir, 'absent.yaml') }), /admission-control-config-file .*absent\.yaml: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
