// runAsNonRoot against the image's user, with kubelet's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '@k8ts/api';
import { verifyRunAsNonRoot } from './run-as-non-root.js';

const pod = (sc: object = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { securityContext: sc, containers: [] } }) as Pod;
const c = (sc: object = {}): Container => ({ name: 'c', image: 'i', securityContext: sc }) as Container;

test('runAsNonRoot refuses an image that runs as root or by name, and runAsUser 0', () => {
  assert.throws(() => verifyRunAsNonRoot(pod({ runAsNonRoot: true }), c(), ''), { message: 'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)' });
  assert.throws(() => verifyRunAsNonRoot(pod(), c({ runAsNonRoot: true }), '0:0'), /image will run as root/);
  assert.throws(() => verifyRunAsNonRoot(pod({ runAsNonRoot: true }), c(), 'nobody'), { message: 'container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root (pod: "p_ns(u1)", container: c)' });
  assert.throws(() => verifyRunAsNonRoot(pod({ runAsNonRoot: true, runAsUser: 0 }), c(), '1000'), { message: `container's runAsUser breaks non-root policy (pod: "p_ns(u1)", container: c)` });
});

test('runAsNonRoot passes a non-zero runAsUser or a numeric non-root image user; without it anything runs', () => {
  verifyRunAsNonRoot(pod({ runAsNonRoot: true }), c({ runAsUser: 1000 }), '');
  verifyRunAsNonRoot(pod({ runAsNonRoot: true }), c(), '65534:65534');
  verifyRunAsNonRoot(pod(), c(), '');
  verifyRunAsNonRoot(pod({ runAsNonRoot: true }), c({ runAsNonRoot: false }), '');
});
