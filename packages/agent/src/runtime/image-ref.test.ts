import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullName, isRegistryHost, parseImageRef, pullCandidates } from './image-ref.js';

test('names normalize as Docker normalizes them', () => {
  assert.deepEqual(parseImageRef('busybox'), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(parseImageRef('k8ts/hello:1.0'), { domain: 'docker.io', path: 'k8ts/hello', tag: '1.0' });
  assert.deepEqual(parseImageRef('localhost:5000/app:v2'), { domain: 'localhost:5000', path: 'app', tag: 'v2' });
  assert.deepEqual(parseImageRef('localhost/app'), { domain: 'localhost', path: 'app' });
  assert.deepEqual(parseImageRef('quay.io/org/app'), { domain: 'quay.io', path: 'org/app' });
  assert.deepEqual(parseImageRef('index.docker.io/nginx:1'), { domain: 'docker.io', path: 'library/nginx', tag: '1' });
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseImageRef(`k8ts/hello@${d}`), { domain: 'docker.io', path: 'k8ts/hello', digest: d });
  assert.equal(fullName(parseImageRef('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(fullName(parseImageRef('a.b:5000/x/y:t')), 'a.b:5000/x/y:t');
});

test('malformed references are refused, saying what is wrong', () => {
  for (const [bad, why] of [
    ['', /empty/],
    ['Busybox', /repository name component/],
    ['k8ts/hello:', /not a tag/],
    ['k8ts/hello:-x', /not a tag/],
    ['k8ts//hello', /repository name component/],
    ['hello@sha256:xyz', /not a digest/],
    ['a b', /whitespace/],
    ['UPPER.io:x/app', /registry host/],
  ] as const)
    assert.throws(() => parseImageRef(bad), (e: Error) => why.test(e.message) && e.message.includes(`"${bad}"`), bad);
});

test('through the cluster registry: Docker Hub names mirrored then upstream, its own names only there', () => {
  const mirror = { endpoint: '10.213.255.1:5000', names: ['localhost:5000', '127.0.0.1:5000'] };
  assert.deepEqual(pullCandidates(parseImageRef('k8ts/hello:1.0'), mirror), ['10.213.255.1:5000/k8ts/hello:1.0', 'k8ts/hello:1.0']);
  assert.deepEqual(pullCandidates(parseImageRef('busybox'), mirror), ['10.213.255.1:5000/library/busybox:latest', 'library/busybox:latest']);
  assert.deepEqual(pullCandidates(parseImageRef('localhost:5000/app:v1'), mirror), ['10.213.255.1:5000/app:v1']);
  assert.deepEqual(pullCandidates(parseImageRef('10.213.255.1:5000/app'), mirror), ['10.213.255.1:5000/app:latest']);
  assert.deepEqual(pullCandidates(parseImageRef('quay.io/org/app:1'), mirror), ['quay.io/org/app:1']);
  // No registry: the name itself, as before.
  assert.deepEqual(pullCandidates(parseImageRef('k8ts/hello:1.0')), ['k8ts/hello:1.0']);
});

test('registry hosts', () => {
  for (const ok of ['localhost:5000', '127.0.0.1:5000', 'registry.local', 'localhost']) assert.ok(isRegistryHost(ok), ok);
  for (const bad of ['registry', 'a b:1', 'x:port', '']) assert.ok(!isRegistryHost(bad), bad);
});
