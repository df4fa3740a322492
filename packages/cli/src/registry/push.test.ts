import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { pushImage, pushTarget } from './push.js';

const host = '127.0.0.1:5000';
const names = ['localhost:5000', host];

test('what a push is named in the registry, and what cannot be pushed', () => {
  assert.deepEqual(pushTarget('k8ts/hello:1.0', host, names), { local: 'k8ts/hello:1.0', target: '127.0.0.1:5000/k8ts/hello:1.0' });
  assert.deepEqual(pushTarget('busybox', host, names), { local: 'busybox:latest', target: '127.0.0.1:5000/library/busybox:latest' });
  assert.deepEqual(pushTarget('localhost:5000/app:v2', host, names), { local: 'localhost:5000/app:v2', target: '127.0.0.1:5000/app:v2' });
  assert.deepEqual(pushTarget('127.0.0.1:5000/app', host, names), { local: '127.0.0.1:5000/app:latest', target: '127.0.0.1:5000/app:latest' });
  assert.throws(() => pushTarget('quay.io/a/b:1', host, names), /names the registry quay\.io/);
  assert.throws(() => pushTarget(`a@sha256:${'0'.repeat(64)}`, host, names), /names a digest/);
  assert.throws(() => pushTarget('A/b', host, names), /invalid image reference "A\/b"/);
});

/** dockerode's image calls, recorded; `push` answers with the given progress events. */
function fakeDocker(present: Record<string, string>, progress: object[]) {
  const calls: string[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: async () => {
        if (!present[name]) throw Object.assign(new Error('no such image'), { statusCode: 404 });
        return { Id: present[name] };
      },
      tag: async ({ repo, tag }: { repo: string; tag: string }) => {
        calls.push(`tag ${name} ${repo}:${tag}`);
        present[`${repo}:${tag}`] = present[name] ?? name;
      },
      remove: async () => {
        calls.push(`untag ${name}`);
        delete present[name];
      },
      push: async ({ tag }: { tag: string }) => {
        calls.push(`push ${name}:${tag}`);
        const s = new PassThrough();
        s.end();
        return s;
      },
    }),
    modem: { followProgress: (_s: unknown, done: (err: Error | null, res: object[]) => void) => done(null, progress) },
  };
  return { docker: docker as unknown as Docker, calls, present };
}

test('a push tags, pushes and takes its tag away again; a failed push leaves the engine as it was', async () => {
  const ok = fakeDocker({ 'k8ts/hello:1.0': 'sha256:h' }, [{ status: 'pushed' }, { aux: { Tag: '1.0', Digest: 'sha256:d', Size: 1 } }]);
  assert.deepEqual(await pushImage(ok.docker, 'k8ts/hello:1.0', host, names), { image: 'k8ts/hello:1.0', pushedAs: '127.0.0.1:5000/k8ts/hello:1.0', digest: 'sha256:d' });
  assert.deepEqual(ok.calls, ['tag sha256:h 127.0.0.1:5000/k8ts/hello:1.0', 'push 127.0.0.1:5000/k8ts/hello:1.0', 'untag 127.0.0.1:5000/k8ts/hello:1.0']);
  assert.deepEqual(Object.keys(ok.present), ['k8ts/hello:1.0']);

  const failing = fakeDocker({ 'k8ts/hello:1.0': 'sha256:h' }, [{ errorDetail: { message: 'connection refused' }, error: 'Get "http://127.0.0.1:5000/v2/": connection refused' }]);
  await assert.rejects(pushImage(failing.docker, 'k8ts/hello:1.0', host, names), /pushing 127\.0\.0\.1:5000\/k8ts\/hello:1\.0: Get .*connection refused/);
  assert.deepEqual(Object.keys(failing.present), ['k8ts/hello:1.0']);

  // A name the engine already had under the target is given back to its image.
  const had = fakeDocker({ 'k8ts/hello:1.0': 'sha256:h', '127.0.0.1:5000/k8ts/hello:1.0': 'sha256:old' }, [{ aux: { Digest: 'sha256:d' } }]);
  await pushImage(had.docker, 'k8ts/hello:1.0', host, names);
  assert.equal(had.present['127.0.0.1:5000/k8ts/hello:1.0'], 'sha256:old');

  const missing = fakeDocker({}, []);
  await assert.rejects(pushImage(missing.docker, 'k8ts/nope:1', host, names), /no image "k8ts\/nope:1" in the local Docker engine/);
  assert.deepEqual(missing.calls, []);
});
