// The pod fields k8ts refuses because its agent cannot honour them, with their field paths
// in pods and in each kind of template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractPodSpec } from './pod-spec.js';
import { unsupportedPodFields } from './unsupported-fields.js';

const fields = (resource: string, obj: object) => unsupportedPodFields(extractPodSpec(resource, obj as never)!).map((c) => c.field);

test('every unsupported field is named, in pods and templates', () => {
  const spec = {
    os: { name: 'windows' },
    hostUsers: false,
    securityContext: { seLinuxOptions: { type: 'x' }, seccompProfile: { type: 'Localhost' }, windowsOptions: { hostProcess: true }, sysctls: [{ name: 'vm.swappiness', value: '1' }, { name: 'net.core.somaxconn', value: '1' }] },
    initContainers: [{ name: 'i', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }],
    containers: [{ name: 'c', securityContext: { procMount: 'Unmasked' } }],
  };
  assert.deepEqual(fields('pods', { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/p', 'seccomp.security.alpha.kubernetes.io/pod': 'localhost/x' } }, spec }), [
    'spec.os.name',
    'spec.hostUsers',
    'spec.securityContext.seLinuxOptions',
    'spec.securityContext.seccompProfile.type',
    'spec.securityContext.windowsOptions.hostProcess',
    'spec.initContainers[0].securityContext.appArmorProfile.type',
    'spec.containers[0].securityContext.procMount',
    'metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]',
    'metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]',
    'spec.securityContext.sysctls[0].name',
  ]);
  assert.deepEqual(fields('cronjobs', { spec: { jobTemplate: { spec: { template: { spec: { hostUsers: false, containers: [] } } } } } }), ['spec.jobTemplate.spec.template.spec.hostUsers']);
  assert.deepEqual(fields('deployments', { spec: { template: { spec: { hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] }, containers: [] } } } }), ['spec.template.spec.securityContext.sysctls[0].name']);
});

test('what the agent honours passes: RuntimeDefault/Unconfined profiles, Default procMount, namespaced sysctls, hostUsers true', () => {
  assert.deepEqual(
    fields('pods', {
      metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default' } },
      spec: {
        hostUsers: true,
        securityContext: { seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'net.ipv4.ip_local_port_range', value: '1 2' }] },
        containers: [{ name: 'c', securityContext: { procMount: 'Default', privileged: true, windowsOptions: { hostProcess: false } } }],
      },
    }),
    [],
  );
});
