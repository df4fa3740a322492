// runAsNonRoot through the sync loop over the in-memory runtime: a root image is never
// started (CreateContainerConfigError with kubelet's message, a Failed event), a non-root one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '@k8ts/api';
import { createLogger } from '@k8ts/client';
import { FakeClient } from '@k8ts/client/testing';
import { FakeRuntime } from '../runtime/fake-runtime.js';
import { normalizeImage } from '../runtime/images.js';
import { PodManager } from './pod-manager.js';

const NODE = 'node-1';
const log = createLogger('agent-test');
log.level = 'silent';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('runAsNonRoot: the root image waits in CreateContainerConfigError, the non-root image runs', async (t) => {
  const client = new FakeClient();
  const runtime = new FakeRuntime(NODE);
  runtime.pullable.add('root:1');
  runtime.pullable.add('app:1');
  runtime.imageUsers.set(normalizeImage('app:1'), '1000');
  const stateDir = mkdtempSync(join(os.tmpdir(), 'k8ts-agent-nonroot-'));
  const m = new PodManager({ client, runtime, nodeName: NODE, hostIP: () => '192.168.0.1', stateDir, backoffBaseMs: 200, backoffMaxMs: 800, relistMs: 100, log });
  m.start();
  t.after(async () => {
    await m.stop();
    client.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const mk = (name: string, image: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image }] } });
  await client.create('pods', mk('root', 'root:1') as never);
  await client.create('pods', mk('app', 'app:1') as never);
  const waiting = await waitFor('root pod waiting', async () => {
    const p = (await client.get('pods', 'default', 'root')) as unknown as Pod;
    const w = p.status?.containerStatuses?.[0]?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' ? w : undefined;
  });
  const uid = ((await client.get('pods', 'default', 'root')) as KubeObject).metadata.uid;
  assert.equal(waiting.message, `container has runAsNonRoot and image will run as root (pod: "root_default(${uid})", container: c)`);
  await waitFor('app pod running', async () => {
    const p = (await client.get('pods', 'default', 'app')) as unknown as Pod;
    return p.status?.containerStatuses?.[0]?.state?.running;
  });
  const started = (await runtime.list()).filter((c) => c.kind !== 'sandbox').map((c) => c.podName);
  assert.deepEqual(started, ['app']);
});
