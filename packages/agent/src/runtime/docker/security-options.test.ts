// What the agent asks of Docker for each security setting of a pod: every field either
// becomes an engine option or is refused (ConfigError), none is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '@k8ts/api';
import { containerCreateOptions, sandboxCreateOptions, type CreateContext } from './create-options.js';
import { ConfigError } from '../config-error.js';

const ctx: CreateContext = { nodeName: 'n1', network: { name: 'k8ts' } as CreateContext['network'], pauseImage: 'k8ts/pause:latest' };

function pod(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1', annotations }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } as Pod;
}

function app(p: Pod, c: Partial<Container> = {}, imageUser?: string) {
  return containerCreateOptions(ctx, { pod: p, container: { name: 'c', image: 'i', ...c } as Container, kind: 'app', sandboxId: 'sb', restartCount: 0, env: new Map(), binds: [], imageUser });
}

test('hostPID and hostIPC put the sandbox and every container in the host namespaces', () => {
  const p = pod({ hostPID: true, hostIPC: true });
  const s = sandboxCreateOptions(ctx, p, 0);
  assert.equal(s.HostConfig?.PidMode, 'host');
  assert.equal(s.HostConfig?.IpcMode, 'host');
  const o = app(p);
  assert.equal(o.HostConfig?.PidMode, 'host');
  assert.equal(o.HostConfig?.IpcMode, 'host');
});

test('without host namespaces: a shareable sandbox IPC joined by the containers; shareProcessNamespace joins its PID namespace', () => {
  const s = sandboxCreateOptions(ctx, pod(), 0);
  assert.equal(s.HostConfig?.IpcMode, 'shareable');
  assert.equal(s.HostConfig?.PidMode, undefined);
  assert.equal(app(pod()).HostConfig?.PidMode, undefined);
  assert.equal(app(pod()).HostConfig?.IpcMode, 'container:sb');
  assert.equal(app(pod({ shareProcessNamespace: true })).HostConfig?.PidMode, 'container:sb');
});

test('allowPrivilegeEscalation: false is no-new-privileges; seccomp and AppArmor Unconfined turn the profiles off', () => {
  assert.deepEqual(app(pod(), { securityContext: { allowPrivilegeEscalation: false } }).HostConfig?.SecurityOpt, ['no-new-privileges']);
  assert.equal(app(pod()).HostConfig?.SecurityOpt, undefined);
  assert.deepEqual(app(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } })).HostConfig?.SecurityOpt, ['seccomp=unconfined']);
  // the container's profile wins over the pod's
  assert.equal(app(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }).HostConfig?.SecurityOpt, undefined);
  assert.deepEqual(app(pod(), { securityContext: { appArmorProfile: { type: 'Unconfined' } } }).HostConfig?.SecurityOpt, ['apparmor=unconfined']);
  assert.deepEqual(app(pod({}, { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' })).HostConfig?.SecurityOpt, ['apparmor=unconfined']);
  assert.throws(() => app(pod(), { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } }), ConfigError);
  assert.throws(() => app(pod({}, { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/x' })), ConfigError);
});

test('namespaced sysctls go on the sandbox, which owns the namespaces', () => {
  const s = sandboxCreateOptions(ctx, pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '0' }, { name: 'kernel.shm_rmid_forced', value: '1' }] } }), 0);
  assert.deepEqual(s.HostConfig?.Sysctls, { 'net.ipv4.tcp_syncookies': '0', 'kernel.shm_rmid_forced': '1' });
});

test('user and groups: runAsUser[:runAsGroup], a group alone keeps the image user, supplementalGroups and fsGroup added', () => {
  assert.equal(app(pod({ securityContext: { runAsUser: 1000, runAsGroup: 3000 } })).User, '1000:3000');
  assert.equal(app(pod({ securityContext: { runAsUser: 1000 } }), { securityContext: { runAsUser: 2000 } }).User, '2000');
  assert.equal(app(pod({ securityContext: { runAsGroup: 3000 } }), {}, 'nobody').User, 'nobody:3000');
  assert.equal(app(pod({ securityContext: { runAsGroup: 3000 } }), {}, '').User, '0:3000');
  assert.deepEqual(app(pod({ securityContext: { supplementalGroups: [4000, 5000], fsGroup: 4000 } })).HostConfig?.GroupAdd, ['4000', '5000']);
  assert.equal(app(pod()).User, undefined);
});

test('privileged, capabilities and a read-only root filesystem pass through', () => {
  const o = app(pod(), { securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true } });
  assert.equal(o.HostConfig?.Privileged, true);
  assert.deepEqual(o.HostConfig?.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(o.HostConfig?.CapDrop, ['ALL']);
  assert.equal(o.HostConfig?.ReadonlyRootfs, true);
});
