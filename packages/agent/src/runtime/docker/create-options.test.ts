import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { containerCreateOptions, podDns, sandboxCreateOptions, type CreateContext } from './create-options.js';
import { ConfigError } from '../config-error.js';

const ctx: CreateContext = { nodeName: 'n1', network: { name: 'k8ts', subnet: '10.213.0.0/16', ipRange: '10.213.0.0/17', gateway: '10.213.0.1' }, clusterDns: '10.213.0.1', pauseImage: 'k8ts/pause:latest' };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'web', namespace: 'team', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'img:1' }], ...spec } }) as Pod;

test('the sandbox owns a shareable IPC namespace, the hostname, the DNS and the host ports; labels name the pod', () => {
  const o = sandboxCreateOptions(ctx, pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }), 2);
  assert.equal(o.name, 'k8s_POD_web_team_u1_2');
  assert.equal(o.Hostname, 'web');
  assert.equal(o.HostConfig?.IpcMode, 'shareable');
  assert.equal(o.HostConfig?.NetworkMode, 'k8ts');
  assert.deepEqual(o.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(o.HostConfig?.Dns, ['10.213.0.1']);
  assert.equal(o.Labels?.['io.kubernetes.pod.uid'], 'u1');
  assert.equal(o.Labels?.['io.k8ts.restart-count'], '2');
  assert.equal(o.Labels?.['io.k8ts.container.kind'], 'sandbox');
});

test('DNS by policy: ClusterFirst gets the cluster resolver and search path; host network does not unless ClusterFirstWithHostNet', () => {
  assert.deepEqual(podDns(ctx, pod()).search, ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  assert.deepEqual(podDns(ctx, pod({ hostNetwork: true })).dns, []);
  assert.deepEqual(podDns(ctx, pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })).dns, ['10.213.0.1']);
  assert.deepEqual(podDns(ctx, pod({ dnsPolicy: 'ClusterFirstWithHostNet' })).dns, [], 'without host network it is not ClusterFirst here either');
  assert.deepEqual(podDns(ctx, pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] } })), { dns: ['1.1.1.1'], search: [], options: ['ndots:2'] });
});

test('an app container joins the sandbox (network, IPC), has no hostname, and expands $(VAR) in its command', () => {
  const env = new Map([['WHO', 'world']]);
  const o = containerCreateOptions(ctx, { pod: pod(), container: { name: 'c', image: 'img:1', command: ['echo', '$(WHO)'], resources: { limits: { cpu: '500m', memory: '64Mi' } } }, kind: 'app', sandboxId: 'sb1', restartCount: 3, env, binds: ['/h:/c'] });
  assert.equal(o.HostConfig?.NetworkMode, 'container:sb1');
  assert.equal(o.HostConfig?.IpcMode, 'container:sb1');
  assert.equal(o.Hostname, undefined);
  assert.deepEqual(o.Entrypoint, ['echo', 'world']);
  assert.equal(o.HostConfig?.NanoCpus, 500_000_000);
  assert.equal(o.HostConfig?.Memory, 64 * 1024 * 1024);
  assert.equal(o.Labels?.['io.k8ts.sandbox-id'], 'sb1');
  assert.equal(o.name, 'k8s_c_web_team_u1_3');
});

test('a limit that is not a quantity is a ConfigError (CreateContainerConfigError)', () => {
  assert.throws(() => containerCreateOptions(ctx, { pod: pod(), container: { name: 'c', resources: { limits: { memory: 'lots' } } }, kind: 'app', sandboxId: 's', restartCount: 0, env: new Map(), binds: [] }), ConfigError);
});
