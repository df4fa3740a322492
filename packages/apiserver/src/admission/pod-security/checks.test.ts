// Each Pod Security check against upstream's expected reasons and details (the *_test.go
// tables of k8s.io/pod-security-admission/policy), and the aggregate message in upstream's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '@k8ts/api';
import { Evaluator, forbiddenDetail } from './evaluator.js';
import { LATEST, type Level } from './api.js';
import { BASELINE_CHECKS } from './checks-baseline.js';
import { RESTRICTED_CHECKS } from './checks-restricted.js';

const evaluator = new Evaluator();

function detail(level: Level, spec: Partial<PodSpec>, annotations: Record<string, string> = {}, minor?: number): string {
  const r = evaluator.evaluate({ level, version: minor === undefined ? LATEST : { latest: false, minor } }, { annotations }, { containers: [], ...spec } as PodSpec);
  return forbiddenDetail(r);
}

function check(id: string, spec: Partial<PodSpec>, annotations: Record<string, string> = {}) {
  const c = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS].find((x) => x.id === id)!;
  const impl = c.versions[c.versions.length - 1]!;
  return impl.check({ annotations }, { containers: [], ...spec } as PodSpec);
}

const c = (name: string, securityContext?: object, extra: object = {}) => ({ name, image: 'i', ...(securityContext ? { securityContext } : {}), ...extra });

const cases: Array<{ id: string; spec: Partial<PodSpec>; annotations?: Record<string, string>; reason: string; detail: string }> = [
  { id: 'hostNamespaces', spec: { hostNetwork: true, hostIPC: true, hostPID: true }, reason: 'host namespaces', detail: 'hostNetwork=true, hostPID=true, hostIPC=true' },
  { id: 'privileged', spec: { containers: [c('a', { privileged: true }), c('b', { privileged: false }), c('c', { privileged: true })] }, reason: 'privileged', detail: 'containers "a", "c" must not set securityContext.privileged=true' },
  {
    id: 'capabilities_baseline',
    spec: { containers: [c('a', { capabilities: { add: ['FOO', 'BAR', 'CHOWN'] } }), c('b', { capabilities: { add: ['BAR', 'BAZ'] } }), c('c', { capabilities: { add: ['KILL'] } })] },
    reason: 'non-default capabilities',
    detail: 'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
  },
  { id: 'hostPathVolumes', spec: { volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', emptyDir: {} }, { name: 'c', hostPath: { path: '/x' } }] }, reason: 'hostPath volumes', detail: 'volumes "a", "c"' },
  {
    id: 'hostPorts',
    spec: { containers: [c('a', undefined, { ports: [{ containerPort: 1, hostPort: 10 }] }), c('b', undefined, { ports: [{ containerPort: 2, hostPort: 20 }, { containerPort: 3, hostPort: 30 }] })] },
    reason: 'hostPort',
    detail: 'containers "a", "b" use hostPorts 10, 20, 30',
  },
  { id: 'hostPorts', spec: { containers: [c('a', undefined, { ports: [{ containerPort: 1, hostPort: 8080 }] })] }, reason: 'hostPort', detail: 'container "a" uses hostPort 8080' },
  { id: 'procMount', spec: { containers: [c('a', { procMount: 'Unmasked' }), c('b', { procMount: 'Default' })] }, reason: 'procMount', detail: 'container "a" must not set securityContext.procMount to "Unmasked"' },
  {
    id: 'seLinuxOptions',
    spec: { securityContext: { seLinuxOptions: { type: 'bar' } }, containers: [c('a', { seLinuxOptions: { type: 'foo', user: 'u', role: 'r' } })] },
    reason: 'seLinuxOptions',
    detail: 'pod and container "a" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  },
  {
    id: 'seccompProfile_baseline',
    spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('a', { seccompProfile: { type: 'Unconfined' } }), c('b', { seccompProfile: { type: 'RuntimeDefault' } })] },
    reason: 'seccompProfile',
    detail: 'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  { id: 'sysctls', spec: { securityContext: { sysctls: [{ name: 'a', value: '1' }, { name: 'net.ipv4.tcp_rmem', value: '1' }, { name: 'b', value: '1' }] } }, reason: 'forbidden sysctls', detail: 'a, b' },
  {
    id: 'appArmorProfile',
    spec: { containers: [c('a', { appArmorProfile: { type: 'Unconfined' } })] },
    annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' },
    reason: 'forbidden AppArmor profiles',
    detail: 'container "a" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined""',
  },
  { id: 'windowsHostProcess', spec: { securityContext: { windowsOptions: { hostProcess: true } }, containers: [c('a', { windowsOptions: { hostProcess: true } })] }, reason: 'hostProcess', detail: 'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true' },
  { id: 'allowPrivilegeEscalation', spec: { containers: [c('a'), c('b', { allowPrivilegeEscalation: true }), c('c', { allowPrivilegeEscalation: false })] }, reason: 'allowPrivilegeEscalation != false', detail: 'containers "a", "b" must set securityContext.allowPrivilegeEscalation=false' },
  {
    id: 'capabilities_restricted',
    spec: { containers: [c('a'), c('b', { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } }), c('c', { capabilities: { add: ['SYS_ADMIN'] } })] },
    reason: 'unrestricted capabilities',
    detail: 'containers "a", "c" must set securityContext.capabilities.drop=["ALL"]; containers "b", "c" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add',
  },
  {
    id: 'restrictedVolumes',
    spec: { volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', configMap: { name: 'x' } }, { name: 'c', nfs: { server: 's', path: '/' } }] as PodSpec['volumes'] },
    reason: 'restricted volume types',
    detail: 'volumes "a", "c" use restricted volume types "hostPath", "nfs"',
  },
  { id: 'runAsNonRoot', spec: { containers: [c('a'), c('b', { runAsNonRoot: true })] }, reason: 'runAsNonRoot != true', detail: 'pod or container "a" must set securityContext.runAsNonRoot=true' },
  { id: 'runAsNonRoot', spec: { securityContext: { runAsNonRoot: false }, containers: [c('a', { runAsNonRoot: false }), c('b')] }, reason: 'runAsNonRoot != true', detail: 'pod and container "a" must not set securityContext.runAsNonRoot=false' },
  { id: 'runAsUser', spec: { securityContext: { runAsUser: 0 }, containers: [c('a', { runAsUser: 0 }), c('b', { runAsUser: 1000 })] }, reason: 'runAsUser=0', detail: 'pod and container "a" must not set runAsUser=0' },
  { id: 'seccompProfile_restricted', spec: { containers: [c('a'), c('b', { seccompProfile: { type: 'RuntimeDefault' } })] }, reason: 'seccompProfile', detail: 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"' },
];

for (const tc of cases) {
  test(`check ${tc.id}: ${tc.detail}`, () => {
    const r = check(tc.id, tc.spec, tc.annotations);
    assert.equal(r.allowed, false);
    assert.equal(r.reason, tc.reason);
    assert.equal(r.detail, tc.detail);
  });
}

test('a default pod passes every check of baseline, and the sample restricted pod passes restricted', () => {
  assert.equal(detail('baseline', { containers: [c('web')] }), '');
  const ok = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [c('web', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })] };
  assert.equal(detail('restricted', ok as Partial<PodSpec>), '');
  assert.equal(detail('privileged', { hostPID: true, containers: [c('x', { privileged: true })] }), '');
});

test('the issue pod under baseline: reasons in upstream order (baseline check IDs sorted)', () => {
  const spec = {
    hostNetwork: true,
    hostPID: true,
    volumes: [{ name: 'h', hostPath: { path: '/' } }],
    containers: [c('c', { privileged: true, capabilities: { add: ['SYS_ADMIN'] } })],
  };
  assert.equal(
    detail('baseline', spec as Partial<PodSpec>),
    'non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "h"), privileged (container "c" must not set securityContext.privileged=true)',
  );
});

test('restricted replaces the overridden baseline checks and appends its own after them', () => {
  const spec = { volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [c('c', { capabilities: { add: ['SYS_ADMIN'] } })] };
  assert.equal(
    detail('restricted', spec as Partial<PodSpec>),
    'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), ' +
      'restricted volume types (volume "h" uses restricted volume type "hostPath"), ' +
      'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
      'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
});

test('versions: older policies skip newer checks and use older allow-lists', () => {
  const tcp = { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '1' }] } };
  assert.equal(detail('baseline', tcp, {}, 31), 'forbidden sysctls (net.ipv4.tcp_rmem)');
  assert.equal(detail('baseline', tcp, {}, 32), '');
  assert.equal(detail('baseline', tcp, {}, 40), '', 'a future version is the newest known');
  // runAsUser joined restricted in 1.23, capabilities_restricted in 1.22, allowPrivilegeEscalation in 1.8
  const root = { securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }, containers: [c('a', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })] };
  assert.equal(detail('restricted', root as Partial<PodSpec>, {}, 22), '');
  assert.match(detail('restricted', root as Partial<PodSpec>, {}, 23), /^runAsUser=0 \(pod must not set runAsUser=0\)$/);
  // before 1.19 seccomp was judged by annotations
  assert.equal(detail('baseline', { containers: [c('a')] }, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, 18), 'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")');
});

test('windows pods skip the Linux-only restricted checks from 1.25', () => {
  const spec = { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [c('a')] };
  assert.equal(detail('restricted', spec as Partial<PodSpec>), '');
  assert.match(detail('restricted', spec as Partial<PodSpec>, {}, 24), /allowPrivilegeEscalation != false/);
});
