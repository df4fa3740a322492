import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { pullImage } from './docker-images.js';

/** An engine that knows `available` names by pull and records what is asked of it. */
function fakeEngine(available: Set<string>, o: { tagFailures?: number } = {}) {
  const calls: string[] = [];
  let tagFailures = o.tagFailures ?? 0;
  const docker = {
    pull: async (name: string) => {
      calls.push(`pull ${name}`);
      const s = new PassThrough() as PassThrough & { wanted: string };
      s.wanted = name;
      s.end();
      return s;
    },
    modem: {
      followProgress: (s: { wanted: string }, done: (err: Error | null, res: object[]) => void) =>
        done(null, available.has(s.wanted) ? [{ status: `Digest: sha256:1` }] : [{ error: `Get "http://${s.wanted.split('/')[0]}/v2/": connection refused` }]),
    },
    getImage: (name: string) => ({
      tag: async ({ repo, tag }: { repo: string; tag: string }) => {
        if (tagFailures-- > 0) throw Object.assign(new Error('(HTTP code 404) no such image - No such image: ' + name), { statusCode: 404 });
        calls.push(`tag ${name} ${repo}:${tag}`);
      },
      remove: async () => void calls.push(`untag ${name}`),
    }),
  };
  return { docker: docker as unknown as Docker, calls };
}

const mirror = { endpoint: '127.0.0.1:5000', names: ['localhost:5000'] };

test('through the mirror: pulled under its name, tagged under the pod\'s, the mirror\'s tag dropped', async () => {
  const e = fakeEngine(new Set(['127.0.0.1:5000/k8ts/hello:1.0']));
  await pullImage(e.docker, 'k8ts/hello:1.0', mirror);
  assert.deepEqual(e.calls, ['pull 127.0.0.1:5000/k8ts/hello:1.0', 'tag 127.0.0.1:5000/k8ts/hello:1.0 k8ts/hello:1.0', 'untag 127.0.0.1:5000/k8ts/hello:1.0']);
  const own = fakeEngine(new Set(['127.0.0.1:5000/app:v1']));
  await pullImage(own.docker, 'localhost:5000/app:v1', mirror);
  assert.deepEqual(own.calls, ['pull 127.0.0.1:5000/app:v1', 'tag 127.0.0.1:5000/app:v1 localhost:5000/app:v1', 'untag 127.0.0.1:5000/app:v1']);
});

test('another agent on the engine dropping the mirror\'s tag first: pulled again, then tagged', async () => {
  const e = fakeEngine(new Set(['127.0.0.1:5000/k8ts/app:latest']), { tagFailures: 1 });
  await pullImage(e.docker, 'k8ts/app', mirror);
  assert.deepEqual(e.calls, ['pull 127.0.0.1:5000/k8ts/app:latest', 'pull 127.0.0.1:5000/k8ts/app:latest', 'tag 127.0.0.1:5000/k8ts/app:latest k8ts/app:latest', 'untag 127.0.0.1:5000/k8ts/app:latest']);
});

test('the same name however written is pulled as it is, never untagged', async () => {
  const e = fakeEngine(new Set(['library/busybox:latest']));
  await pullImage(e.docker, 'docker.io/library/busybox');
  assert.deepEqual(e.calls, ['pull library/busybox:latest']);
});

test('every source failing: one error naming each, the cluster registry first', async () => {
  const e = fakeEngine(new Set());
  await assert.rejects(pullImage(e.docker, 'k8ts/app:1', mirror), (err: Error) => {
    assert.equal(err.message, 'cluster registry 127.0.0.1:5000 (as 127.0.0.1:5000/k8ts/app:1): Get "http://127.0.0.1:5000/v2/": connection refused; then k8ts/app:1: Get "http://k8ts/v2/": connection refused');
    return true;
  });
});
