// The ContainerRuntime on a Docker engine (dockerode): pod sandboxes are pause containers
// owning the network and IPC namespaces, app containers join them with `container:<id>`,
// and what runs is read back from the containers' labels. The only module that holds a
// Docker client; everything else in the agent speaks ContainerRuntime.
import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { rfc3339, type Pod } from '@k8ts/api';
import { L, SANDBOX_NAME, type ContainerKind } from '../labels.js';
import { StartError, type ContainerConfig, type ContainerDetails, type ContainerStats, type ContainerRuntime, type ExecResult, type ImageInfo, type LogOptions, type ObservedContainer, type RuntimeEvent, type StreamOptions, type StreamSession } from '../container-runtime.js';
import { ensureNetwork, type NetworkConfig } from './network.js';
import { containerCreateOptions, sandboxCreateOptions, type CreateContext } from './create-options.js';
import { dockerErrorMessage, statusCode } from './docker-errors.js';
import { inspectImage, listImages, pullImage } from './docker-images.js';
import { dockerAttach, dockerExec, dockerExecStream, dockerLogs } from './docker-streams.js';
import { watchDockerEvents } from './docker-events.js';
import { dockerStats } from './docker-stats.js';

import { PAUSE_IMAGE } from '../../images/pause.js';
import type { ImageMirror } from '../image-ref.js';

/** dockerode's client, for callers that bring their own (tests through a socket proxy). */
export type DockerClient = Docker;

/** A Docker client for the socket (default: Docker's own). */
export function dockerClient(socketPath?: string): DockerClient {
  return new Docker(socketPath ? { socketPath } : undefined);
}

export interface RuntimeConfig {
  nodeName: string;
  network: NetworkConfig;
  clusterDns?: string;
  clusterDomain?: string;
  pauseImage?: string;
  /** The cluster registry, a mirror of Docker Hub names (image-ref.ts). */
  imageMirror?: ImageMirror;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function kubeTime(t?: string): string | undefined {
  if (!t || t === ZERO_TIME) return undefined;
  return rfc3339(new Date(t));
}

function observed(c: Docker.ContainerInfo): ObservedContainer {
  return {
    id: c.Id,
    kind: (c.Labels[L.kind] as ContainerKind) ?? (c.Labels[L.containerName] === SANDBOX_NAME ? 'sandbox' : 'app'),
    name: c.Labels[L.containerName] ?? '',
    podUid: c.Labels[L.podUid],
    podName: c.Labels[L.podName] ?? '',
    podNamespace: c.Labels[L.podNamespace] ?? '',
    restartCount: Number(c.Labels[L.restartCount] ?? 0) || 0,
    running: c.State === 'running',
    state: c.State,
    created: c.Created,
    image: c.Image,
    imageId: c.ImageID,
    sandboxId: c.Labels[L.sandbox] ?? '',
  };
}

export class DockerRuntime implements ContainerRuntime {
  private readonly details = new Map<string, ContainerDetails & { key: string }>();
  /**
   * Containers whose `die` event came while the engine's list may still show them running:
   * dockerd sends the event before it updates the copy its list reads from (inspect reads
   * the container itself), so a sync woken by the event would see nothing change and the
   * exit would wait for the next relist (seconds).
   */
  private readonly died = new Set<string>();
  private readonly ctx: CreateContext;
  /** Pulls in flight by name: a second pod's pull of the same name joins the first (a mirror's tag moves). */
  private readonly pulls = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: Docker,
    readonly cfg: RuntimeConfig,
  ) {
    this.ctx = { ...cfg, pauseImage: cfg.pauseImage ?? PAUSE_IMAGE };
  }

  get pauseImage(): string {
    return this.ctx.pauseImage;
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async version(): Promise<string> {
    return `docker://${(await this.docker.version()).Version}`;
  }

  ensureNetwork(): Promise<{ id: string; created: boolean }> {
    return ensureNetwork(this.docker, this.cfg.network);
  }

  inspectImage(image: string): Promise<ImageInfo | undefined> {
    return inspectImage(this.docker, image);
  }

  pullImage(image: string): Promise<void> {
    const inFlight = this.pulls.get(image);
    if (inFlight) return inFlight;
    const p = pullImage(this.docker, image, this.cfg.imageMirror).finally(() => this.pulls.delete(image));
    this.pulls.set(image, p);
    return p;
  }

  listImages(): Promise<ImageInfo[]> {
    return listImages(this.docker);
  }

  async list(podUid?: string): Promise<ObservedContainer[]> {
    const label = [`${L.node}=${this.cfg.nodeName}`];
    if (podUid) label.push(`${L.podUid}=${podUid}`);
    const found = await this.docker.listContainers({ all: true, filters: { label } });
    const out = found.filter((c) => c.Labels[L.podUid]).map(observed);
    for (const c of out) if (!c.running) this.died.delete(c.id); // the list caught up
    return Promise.all(out.map((c) => (c.running && this.died.has(c.id) ? this.settle(c) : c)));
  }

  /** A container listed as running after its `die` event: its state as inspect reads it. */
  private async settle(c: ObservedContainer): Promise<ObservedContainer> {
    this.details.delete(c.id);
    const d = await this.inspect({ id: c.id, state: '' });
    if (!d || d.running) return c;
    return { ...c, running: false, state: d.key.slice(c.id.length + 1) };
  }

  stats(id: string): Promise<ContainerStats | undefined> {
    return dockerStats(this.docker, id);
  }

  /** Inspect, remembered while the container stays in the same state. */
  async inspect(c: Pick<ObservedContainer, 'id' | 'state'>): Promise<(ContainerDetails & { key: string }) | undefined> {
    // An empty id would ask Docker for /containers//json, which it redirects off the socket.
    if (!c.id) return undefined;
    const hit = this.details.get(c.id);
    if (hit && hit.key === `${c.id}:${c.state}`) return hit;
    try {
      const i = await this.docker.getContainer(c.id).inspect();
      const nets = i.NetworkSettings?.Networks ?? {};
      const d: ContainerDetails & { key: string } = {
        key: `${c.id}:${i.State.Status}`,
        createdAt: i.Created,
        running: i.State.Running,
        startedAt: kubeTime(i.State.StartedAt),
        finishedAt: kubeTime(i.State.FinishedAt),
        exitCode: i.State.ExitCode,
        oomKilled: i.State.OOMKilled,
        error: i.State.Error ?? '',
        ip: nets[this.cfg.network.name]?.IPAddress || undefined,
        imageId: i.Image,
        tty: !!i.Config?.Tty,
      };
      this.details.set(c.id, d);
      return d;
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  }

  retain(ids: Set<string>): void {
    for (const id of this.details.keys()) if (!ids.has(id)) this.details.delete(id);
    for (const id of this.died) if (!ids.has(id)) this.died.delete(id);
  }

  /** Creates a container; a leftover with the same name (an earlier attempt) is removed first. */
  private async create(opts: Docker.ContainerCreateOptions): Promise<string> {
    try {
      return (await this.docker.createContainer(opts)).id;
    } catch (e) {
      if (statusCode(e) !== 409 || !opts.name) throw e;
      await this.docker.getContainer(opts.name).remove({ force: true, v: true }).catch(() => undefined);
      return (await this.docker.createContainer(opts)).id;
    }
  }

  async runSandbox(pod: Pod, attempt: number, hostIP: string): Promise<{ id: string; ip: string }> {
    const id = await this.create(sandboxCreateOptions(this.ctx, pod, attempt));
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      const msg = dockerErrorMessage(e);
      await this.remove(id);
      throw new Error(`failed to start sandbox container for pod "${pod.metadata?.name}": ${msg}`);
    }
    const i = await this.docker.getContainer(id).inspect();
    const ip = pod.spec?.hostNetwork ? hostIP : (i.NetworkSettings?.Networks?.[this.cfg.network.name]?.IPAddress ?? '');
    return { id, ip };
  }

  async sandboxIP(pod: Pod, id: string, hostIP: string): Promise<string> {
    if (pod.spec?.hostNetwork) return hostIP;
    const d = await this.inspect({ id, state: 'running' });
    return d?.ip ?? '';
  }

  async runContainer(cfg: ContainerConfig): Promise<string> {
    const opts = containerCreateOptions(this.ctx, cfg); // ConfigError passes through
    let id: string;
    try {
      id = await this.create(opts);
    } catch (e) {
      throw new Error(dockerErrorMessage(e));
    }
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      // The container stays (exited, State.Error set) so its status reads StartError.
      this.details.delete(id);
      throw new StartError(dockerErrorMessage(e), id);
    }
    return id;
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    if (!id) return;
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.floor(graceSeconds)) });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 304 && code !== 404) throw e;
    }
  }

  async remove(id: string): Promise<void> {
    if (!id) return;
    this.details.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 404 && code !== 409) throw e; // 409: removal already in progress
    }
  }

  watchEvents(onEvent: (ev: RuntimeEvent) => void, onError?: (e: Error) => void): { stop(): void } {
    // Noted before the pod is asked to sync, so that sync reads the exit.
    const note = (ev: RuntimeEvent) => {
      if (ev.action === 'die') this.died.add(ev.id);
      else if (ev.action === 'destroy' || ev.action === 'start') this.died.delete(ev.id);
      onEvent(ev);
    };
    return watchDockerEvents(this.docker, this.cfg.nodeName, note, onError);
  }

  exec(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    return dockerExec(this.docker, id, cmd, timeoutMs);
  }

  logs(id: string, opts: LogOptions): Promise<Readable> {
    return dockerLogs(this.docker, id, opts);
  }

  execStream(id: string, opts: StreamOptions): Promise<StreamSession> {
    return dockerExecStream(this.docker, id, opts);
  }

  attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    return dockerAttach(this.docker, id, opts);
  }
}
