// Shared set-up for the agent suites: local images, a test-only Docker network, agents on
// it, and cleanup of every container those agents created (by their node label).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { KubeObject, Pod } from '@k8ts/api';
import { createLogger, type Client } from '@k8ts/client';
import { FakeClient } from '@k8ts/client/testing';
import { startAgent, type Agent, type AgentOptions } from '@k8ts/agent';
import { buildImages } from '@k8ts/cli';
import { freeOctets } from '../support/ranges.js';

export const docker = new Docker();

export interface TestNet {
  name: string;
  subnet: string;
  ipRange: string;
  gateway: string;
}

/** A network of the test's own: k8ts-test-<random>, 10.(220+n).0.0/16. */
export function testNetwork(): TestNet {
  const n = Math.floor(Math.random() * 30);
  const name = `k8ts-test-${Math.random().toString(36).slice(2, 8)}`;
  return { name, subnet: `10.${220 + n}.0.0/16`, ipRange: `10.${220 + n}.0.0/17`, gateway: `10.${220 + n}.0.1` };
}

export class AgentHarness {
  readonly net = testNetwork();
  readonly nodes = new Set<string>();
  readonly stateDir = mkdtempSync(join(os.tmpdir(), 'k8ts-agent-test-'));
  readonly agents: Agent[] = [];
  private rangeChosen = false;

  constructor(readonly client: Client) {}

  static async images(): Promise<void> {
    await buildImages({});
  }

  /** The network the agents will use, its range chosen: read it before the first start(). */
  async network(): Promise<TestNet> {
    await this.ensureFreeSubnet();
    return this.net;
  }

  async start(nodeName: string, extra: Partial<AgentOptions> = {}): Promise<Agent> {
    this.nodes.add(nodeName);
    await this.ensureFreeSubnet();
    const a = await startAgent({
      client: this.client,
      nodeName,
      network: this.net.name,
      subnet: this.net.subnet,
      ipRange: this.net.ipRange,
      gateway: this.net.gateway,
      stateDir: join(this.stateDir, nodeName),
      opsPort: -1,
      backoffBaseMs: 1000,
      backoffMaxMs: 4000,
      relistMs: 2000,
      streams: false,
      log: quietLogger(),
      ...extra,
    });
    this.agents.push(a);
    return a;
  }

  /**
   * Once per harness, before its network is made: a /16 no network or route holds (the agent
   * retries a network it cannot make, the engine may be down, and would wait for good on a
   * range another suite or a leftover holds). Once: freeOctets answers in random order, and the
   * agents (and a cluster DNS on the gateway) must all be given the same range.
   */
  private async ensureFreeSubnet(): Promise<void> {
    if (this.rangeChosen) return;
    const [o] = await freeOctets(docker);
    Object.assign(this.net, { subnet: `10.${o}.0.0/16`, ipRange: `10.${o}.0.0/17`, gateway: `10.${o}.0.1` });
    this.rangeChosen = true;
  }

  async stopAgent(a: Agent): Promise<void> {
    await a.stop();
    const i = this.agents.indexOf(a);
    if (i >= 0) this.agents.splice(i, 1);
  }

  /** Stops the agents, removes their containers, the network and the state dir. */
  async cleanup(): Promise<void> {
    for (const a of [...this.agents]) await a.stop().catch(() => undefined);
    const found = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } });
    await Promise.all(found.filter((c) => this.nodes.has(c.Labels['io.k8ts.node'])).map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    const nets = await docker.listNetworks({ filters: { name: [this.net.name] } });
    for (const n of nets.filter((x) => x.Name === this.net.name)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  async containersOf(pod: Pod): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.uid=${pod.metadata?.uid}`] } });
  }
}

/** Logs stay quiet in tests unless K8TS_LOG_LEVEL asks for them. */
export function quietLogger() {
  process.env.K8TS_LOG_LEVEL ??= 'silent';
  return createLogger('agent-test');
}

export function podSpec(name: string, nodeName: string, spec: Partial<Pod['spec']> & { containers: NonNullable<Pod['spec']>['containers'] }, ns = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { nodeName, terminationGracePeriodSeconds: 2, ...spec } } as Pod;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function getPod(client: Client, name: string, ns = 'default'): Promise<Pod> {
  return (await client.get<KubeObject>('pods', ns, name)) as unknown as Pod;
}

export function containerStatus(pod: Pod, name: string) {
  return pod.status?.containerStatuses?.find((c) => c.name === name);
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Runs a command in a pod's container through Docker (what `kubectl exec` reaches). */
export async function execIn(containerId: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  out.on('data', (b: Buffer) => chunks.push(b));
  docker.modem.demuxStream(stream, out, out);
  for (;;) {
    const i = await exec.inspect();
    if (!i.Running) {
      await new Promise((r) => setTimeout(r, 20));
      stream.destroy();
      return { code: i.ExitCode ?? -1, out: Buffer.concat(chunks).toString('utf8') };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * FakeClient with the apiserver's graceful pod deletion: deleting a pod bound to a node
 * marks it (deletionTimestamp and deletionGracePeriodSeconds in one write) and the agent's
 * delete with gracePeriodSeconds 0 removes it.
 */
export class GracefulFakeClient extends FakeClient {
  override async delete(resource: string, namespace: string, name: string, opts: { gracePeriodSeconds?: number; preconditions?: { uid?: string } } = {}): Promise<KubeObject> {
    const cur = resource === 'pods' ? this.peek<KubeObject>('pods', namespace, name) : undefined;
    if (!cur || !cur.spec?.nodeName || opts.gracePeriodSeconds === 0) return super.delete(resource, namespace, name, opts);
    if (cur.metadata.deletionTimestamp) return cur;
    // FakeClient's store has no graceful path: write the marked object the way its own
    // commit does (new resourceVersion, MODIFIED to watchers).
    const self = this as unknown as { rv: number; bucket(r: string): Map<string, KubeObject>; record(r: string, t: string, o: KubeObject, old: KubeObject): void };
    const next = structuredClone(cur);
    const m = next.metadata as Record<string, unknown>;
    m.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    m.deletionGracePeriodSeconds = opts.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30;
    m.resourceVersion = String(++self.rv);
    self.bucket('pods').set(`${cur.metadata.namespace}/${name}`, structuredClone(next));
    self.record('pods', 'MODIFIED', next, cur);
    return next;
  }
}
