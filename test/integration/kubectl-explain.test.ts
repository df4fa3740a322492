// The real kubectl (1.27 and 1.33) reading the apiserver's OpenAPI: `kubectl explain` prints
// what it prints against Kubernetes (field names, types, upstream's descriptions), and apply /
// create, which fetch OpenAPI to validate and to compute patches, accept every example manifest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES, pathOf } from '@k8ts/api';
import { kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

const MINORS = [27, 33];
const EXAMPLES = join(import.meta.dirname, '..', '..', 'deploy', 'examples');
let cluster: KubectlCluster;

before(async () => {
  cluster = await startKubectlCluster();
});

after(async () => {
  await cluster?.stop();
});

const kubectl = (minor: number, args: string[], env: Record<string, string> = {}) => runKubectl(cluster, args, { minor, env, timeoutMs: 60_000 });
const ok = (minor: number, args: string[], env: Record<string, string> = {}) => kubectlOk(cluster, args, { minor, env, timeoutMs: 60_000 });

for (const minor of MINORS) {
  test(`kubectl 1.${minor} explain pod.spec.containers: the Container fields with their types and descriptions`, async () => {
    const out = await ok(minor, ['explain', 'pod.spec.containers']);
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /containers\s+<\[\]Container>/);
    assert.match(out, /List of containers belonging to the pod\./);
    assert.match(out, /A single application container that you want to run within a pod\./);
    assert.match(out, /\n {2}args\s+<\[\]string>/);
    assert.match(out, /\n {2}image\s+<string>/);
    assert.match(out, /\n {2}name\s+<string> -required-/);
    assert.match(out, /\n {2}ports\s+<\[\]ContainerPort>/);
    assert.match(out, /\n {2}resources\s+<ResourceRequirements>/);
    assert.match(out, /\n {2}stdin\s+<boolean>/);
    assert.match(out, /\n {2}terminationMessagePath\s+<string>/);
  });

  test(`kubectl 1.${minor} explain deployment.spec.strategy --recursive: the nested fields`, async () => {
    const out = await ok(minor, ['explain', 'deployment.spec.strategy', '--recursive']);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /GROUP:\s+apps\n/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /strategy\s+<DeploymentStrategy>/);
    assert.match(out, /DeploymentStrategy describes how to replace existing pods with new ones\./);
    assert.match(out, /rollingUpdate\s+<RollingUpdateDeployment>/);
    assert.match(out, /maxSurge\s+<IntOrString>/);
    assert.match(out, /maxUnavailable\s+<IntOrString>/);
    assert.match(out, /\n {2}type\s+<string>/);
  });

  test(`kubectl 1.${minor} explain svc and configmap.data`, async () => {
    const svc = await ok(minor, ['explain', 'svc']);
    assert.match(svc, /KIND:\s+Service/);
    assert.match(svc, /Service is a named abstraction of software service/);
    for (const f of ['apiVersion\\s+<string>', 'kind\\s+<string>', 'metadata\\s+<ObjectMeta>', 'spec\\s+<ServiceSpec>', 'status\\s+<ServiceStatus>']) assert.match(svc, new RegExp(`\\n {2}${f}`));
    const data = await ok(minor, ['explain', 'configmap.data']);
    assert.match(data, /data\s+<map\[string\]string>/);
    assert.match(data, /Data contains the configuration data\./);
    const meta = await ok(minor, ['explain', 'pod.metadata.creationTimestamp']);
    assert.match(meta, /creationTimestamp\s+<string>/);
    assert.match(meta, /CreationTimestamp is a timestamp representing the server time/);
    // Probe inlines its handler in JSON: httpGet is Probe's own field.
    const port = await ok(minor, ['explain', 'pod.spec.containers.livenessProbe.httpGet.port']);
    assert.match(port, /port\s+<IntOrString>/);
    assert.match(port, /Name or number of the port to access on the container\./);
  });

  test(`kubectl 1.${minor} explain every served resource, recursively`, async () => {
    for (const r of RESOURCES) {
      // A version other than the preferred one (autoscaling/v1), or a plural another group
      // has too (metrics.k8s.io's nodes and pods), is asked with --api-version.
      const qualified = !!(r.viewOf || r.path);
      const version = qualified ? ['--api-version', `${r.group}/${r.version}`] : [];
      const out = await ok(minor, ['explain', r.group && !qualified ? `${pathOf(r)}.${r.group}` : pathOf(r), '--recursive', ...version]);
      assert.match(out, new RegExp(`KIND:\\s+${r.kind}\\n`), r.resource);
      assert.match(out, /\n {2}metadata\s+<ObjectMeta>/, r.resource);
    }
  });

  test(`kubectl 1.${minor} apply and create accept the example manifests with strict validation`, async () => {
    for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort()) {
      const path = join(EXAMPLES, file);
      const r = await kubectl(minor, ['apply', '--validate=strict', '--dry-run=server', '-f', path]);
      // Namespaced objects of a namespace the same file creates do not exist in a dry run.
      const failures = r.stderr.split('\n').filter((l) => l.trim() && !/namespaces? ".*" not found/.test(l));
      assert.deepEqual(failures, [], `apply ${file}: ${r.stderr}`);
      assert.match(r.stdout, /\(server dry run\)/, `apply ${file}`);
    }
    const ns = `explain-${minor}`;
    await ok(minor, ['create', 'namespace', ns]);
    await ok(minor, ['create', '--validate=strict', '-n', ns, '-f', join(EXAMPLES, 'two-container-pod.yaml')]);
    await ok(minor, ['apply', '--validate=strict', '-n', ns, '-f', join(EXAMPLES, 'two-container-pod.yaml')]);
    await ok(minor, ['apply', '--validate=strict', '-n', ns, '-f', join(EXAMPLES, 'labelled-pods.yaml')]);
    // A second apply of a changed manifest: kubectl computes the patch from the OpenAPI schema.
    const changed = join(cluster.dir, `changed-${minor}.yaml`);
    writeFileSync(changed, readFileSync(join(EXAMPLES, 'two-container-pod.yaml'), 'utf8').replace('app: pod', 'app: pod\n    tier: web'));
    await ok(minor, ['apply', '--validate=strict', '-n', ns, '-f', changed]);
    // kubectl computes client-side apply's strategic merge patch from the OpenAPI schema: a
    // container removed from the manifest is deleted by its merge key, the other one kept.
    const deployment = (containers: string[]) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n${containers.map((c) => `      - {name: ${c}, image: k8ts/hello:1.0}\n`).join('')}`;
    const dep = join(cluster.dir, `deployment-${minor}.yaml`);
    writeFileSync(dep, deployment(['a', 'b']));
    await ok(minor, ['apply', '--validate=strict', '-n', ns, '-f', dep]);
    writeFileSync(dep, deployment(['b']));
    await ok(minor, ['apply', '--validate=strict', '-n', ns, '-f', dep]);
    const applied = JSON.parse(await ok(minor, ['get', 'deployment', 'web', '-n', ns, '-o', 'json']));
    assert.deepEqual(applied.spec.template.spec.containers.map((c: { name: string }) => c.name), ['b']);
    const pod = JSON.parse(await ok(minor, ['get', 'pod', 'pod-1', '-n', ns, '-o', 'json']));
    assert.equal(pod.metadata.labels.tier, 'web');
    assert.deepEqual(pod.spec.containers.map((c: { name: string }) => c.name), ['web', 'sidecar']);
  });
}

test('kubectl 1.27 explain from OpenAPI v2 (gnostic protobuf), as before it read v3', async () => {
  const env = { KUBECTL_EXPLAIN_OPENAPIV3: 'false' };
  const out = await ok(27, ['explain', 'pod.spec.containers.ports'], env);
  assert.match(out, /ports\s+<\[\]ContainerPort>/);
  assert.match(out, /ContainerPort represents a network port in a single container\./);
  assert.match(out, /\n {2}containerPort\s+<integer> -required-/);
  const strategy = await ok(27, ['explain', 'deployment.spec.strategy', '--recursive'], env);
  assert.match(strategy, /maxSurge\s+<IntOrString>/);
  const data = await ok(27, ['explain', 'configmap.data'], env);
  assert.match(data, /data\s+<map\[string\]string>/);
});

test('kubectl 1.33 explain --output=plaintext-openapiv2 reads the v2 document', async () => {
  const out = await ok(33, ['explain', 'pod.spec.containers.ports', '--output=plaintext-openapiv2']);
  assert.match(out, /RESOURCE: ports <\[\]Object>/);
  assert.match(out, /ContainerPort represents a network port in a single container\./);
  assert.match(out, /\n {3}containerPort\s+<integer> -required-/);
});
