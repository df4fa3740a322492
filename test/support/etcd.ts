// A throwaway etcd for the integration tests and benchmarks: one container of the local image
// k8ts/etcd (deploy/images/etcd, built here when absent) started through testcontainers, on
// host ports of its own, with its data inside the container. Ended by stop(), even on failure
// (Ryuk, testcontainers' reaper, cannot run without a registry: ENVIRONMENT.md).
import Docker from 'dockerode';
import type { StartedTestContainer } from 'testcontainers';
import { buildImages, IMAGES } from '@k8ts/cli';
import { freePort } from './ports.js';

// Before testcontainers loads: no Ryuk (its image cannot be pulled), and no helper container
// to find the host (it would pull alpine). run-tests.mjs sets the same.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

const CLIENT_PORT = 2379;
const PEER_PORT = 2380;
/** Every container started here carries it: `docker rm -f $(docker ps -aq -f label=io.k8ts.test=etcd)` cleans up after a killed run. */
const LABELS = { 'io.k8ts.test': 'etcd' };

export interface TestEtcd {
  url: string;
  clientPort: number;
  /** The etcd process as the host sees it (for CPU readings); it changes after start(). */
  readonly pid: number;
  /** SIGKILL, keeping its data (an outage); `start` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Ends it and removes the container with its data. */
  stop(): Promise<void>;
}

const docker = new Docker();
let imageReady: Promise<void> | undefined;

/** k8ts/etcd, built from the host's etcd when absent. */
function ensureImage(): Promise<void> {
  imageReady ??= docker
    .getImage(IMAGES.etcd)
    .inspect()
    .then(
      () => undefined,
      async () => {
        await buildImages({ only: ['etcd'] });
      },
    );
  return imageReady;
}

async function waitHealthy(url: string, stderr: () => Promise<string>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`etcd did not become healthy: ${await stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startEtcd(extraArgs: string[] = []): Promise<TestEtcd> {
  await ensureImage();
  const { GenericContainer, Wait } = await import('testcontainers');
  // A host port picked here, not by Docker: a container started again keeps it.
  const clientPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${PEER_PORT}`;
  const container: StartedTestContainer = await new GenericContainer(IMAGES.etcd)
    .withLabels(LABELS)
    .withExposedPorts({ container: CLIENT_PORT, host: clientPort })
    .withCommand([
      '--name', 'test',
      '--data-dir', '/var/lib/etcd/data',
      '--listen-client-urls', `http://0.0.0.0:${CLIENT_PORT}`,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`,
      '--logger', 'zap',
      '--log-level', 'error',
      ...extraArgs,
    ])
    .withWaitStrategy(Wait.forHttp('/health', CLIENT_PORT).forStatusCode(200))
    .withStartupTimeout(30_000)
    .start();
  const handle = docker.getContainer(container.getId());
  const logs = async () => {
    try {
      return (await handle.logs({ stdout: true, stderr: true, tail: 40 })).toString('utf8');
    } catch {
      return '';
    }
  };
  let pid = (await handle.inspect()).State.Pid;
  let stopped = false;
  return {
    url,
    clientPort,
    get pid() {
      return pid;
    },
    async kill() {
      if ((await handle.inspect()).State.Running) await handle.kill({ signal: 'SIGKILL' });
      await handle.wait({ condition: 'not-running' });
    },
    async start() {
      await handle.start();
      pid = (await handle.inspect()).State.Pid;
      await waitHealthy(url, logs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await docker
        .getContainer(container.getId())
        .remove({ force: true, v: true })
        .catch(() => undefined);
    },
  };
}
