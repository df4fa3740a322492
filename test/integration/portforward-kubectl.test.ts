// pods/NAME/portforward from kubectl through the real apiserver, a real agent and Docker: kubectl
// 1.32 and 1.33 (SPDY tunnelled through a WebSocket, `SPDY/3.1+portforward.k8s.io`, which
// kubectl 1.31+ asks for first and falls back from only when the upgrade is refused), and
// kubectl 1.27 (SPDY alone). The library clients' port-forward over kubelet's
// v4.channel.k8s.io WebSocket protocol (@kubernetes/client-node's PortForward, the Python
// client's kubernetes.stream.portforward) is in the client-compatibility suite
// (test/e2e/client-compat.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { GrpcClient } from '@k8ts/client';
import { freePort, kubectlOk, kubectlBin, kubectlHome, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';
import { startStreamingNode } from './streaming-node.js';
import { getThroughPort } from '../support/get-through-port.js';

const NODE = `pf-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let client: GrpcClient;
let h: AgentHarness;
let hello = '';


before(async () => {
  ({ cluster, client, h } = await startStreamingNode(NODE));
  await kubectlOk(cluster, ['run', 'web', '--image=k8ts/hello:1.0', '--port=8080', `--overrides={"spec":{"nodeName":"${NODE}","terminationGracePeriodSeconds":0}}`]);
  await waitFor('web Running', async () => (await kubectlOk(cluster, ['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running', 120_000, 300);
  hello = `hello from web (${await kubectlOk(cluster, ['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])})\n`;
});

after(async () => {
  await h?.cleanup();
  client?.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], `the agent, as system:node:${NODE}, was refused nothing`);
});

async function kubectlPortForward(minor: number, env: Record<string, string> = {}): Promise<string> {
  const port = await freePort();
  const pf = spawn(kubectlBin(minor), ['--kubeconfig', cluster.kubeconfig, '-v=4', 'port-forward', 'pod/web', `${port}:8080`], { env: { PATH: process.env.PATH, HOME: kubectlHome(cluster, minor), ...env } });
  let out = '';
  let err = '';
  pf.stdout.on('data', (b: Buffer) => (out += b.toString()));
  pf.stderr.on('data', (b: Buffer) => (err += b.toString()));
  try {
    await waitFor(`kubectl 1.${minor} forwarding`, () => out.includes('Forwarding from'), 20_000);
    assert.equal(await getThroughPort(port), hello, `kubectl 1.${minor}: ${err}`);
    assert.equal(await getThroughPort(port), hello, `kubectl 1.${minor}, a second connection`);
    return err;
  } finally {
    pf.kill();
  }
}

for (const minor of [32, 33]) {
  test(`kubectl 1.${minor} port-forward: SPDY tunnelled through a WebSocket, no fallback`, async () => {
    const log = await kubectlPortForward(minor);
    // client-go's tunneling_dialer.go and fallback_dialer.go log these at -v=4
    assert.match(log, /Before WebSocket Upgrade Connection/, 'the tunnelling dialer was used');
    assert.doesNotMatch(log, /fallback to secondary dialer/, 'the WebSocket upgrade was accepted');
  });
}

test('kubectl 1.27 port-forward: SPDY', async () => {
  await kubectlPortForward(27);
});

test('kubectl 1.32 with KUBECTL_PORT_FORWARD_WEBSOCKETS=false: SPDY', async () => {
  const log = await kubectlPortForward(32, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
  assert.doesNotMatch(log, /WebSocket Upgrade/i);
});
