// The agent's only door to Docker: pod sandboxes (pause containers owning the network and
// IPC namespaces), app containers joined to them, and what is running now, read back from
// the containers' labels so nothing lives only in the agent's memory.
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import type { Container, Pod } from '@k8ts/api';
import { L, SANDBOX_NAME, dockerName, type ContainerKind } from './labels.js';
import { ensureNetwork, type NetworkConfig } from './network.js';
import { cpuToNano, memoryToBytes } from './quantity.js';
import { ConfigError } from './config-error.js';
import { expandVars } from './env.js';
import { PAUSE_IMAGE } from '../images/pause.js';

export interface RuntimeConfig {
  nodeName: string;
  network: NetworkConfig;
  clusterDns?: string;
  clusterDomain?: string;
  pauseImage?: string;
}

/** One container of this node, as `docker ps -a` and its labels describe it. */
export interface ObservedContainer {
  id: string;
  kind: ContainerKind;
  name: string; // container name in the pod spec, POD for the sandbox
  podUid: string;
  podName: string;
  podNamespace: string;
  restartCount: number;
  running: boolean;
  state: string; // created, running, exited, dead…
  created: number; // unix seconds
  image: string;
  imageId: string;
  sandboxId: string; // app and init containers: the sandbox they joined
}

/** What inspect says of a container's life (cached per id and state). */
export interface ContainerDetails {
  running: boolean;
  startedAt?: string;
  finishedAt?: string;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  ip?: string;
  imageId: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function kubeTime(t?: string): string | undefined {
  if (!t || t === ZERO_TIME) return undefined;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function dockerErrorMessage(e: unknown): string {
  const j = (e as { json?: { message?: string } }).json;
  return (j?.message ?? (e as Error).message ?? String(e)).replace(/^\(HTTP code \d+\)[^-]*-\s*/, '').trim();
}

function statusCode(e: unknown): number | undefined {
  return (e as { statusCode?: number }).statusCode;
}

export class DockerRuntime {
  private readonly details = new Map<string, ContainerDetails & { key: string }>();

  constructor(
    readonly docker: Docker,
    readonly cfg: RuntimeConfig,
  ) {}

  get pauseImage(): string {
    return this.cfg.pauseImage ?? PAUSE_IMAGE;
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async version(): Promise<string> {
    const v = await this.docker.version();
    return v.Version;
  }

  ensureNetwork() {
    return ensureNetwork(this.docker, this.cfg.network);
  }

  /** Every container this node created (any pod, any state). */
  async list(podUid?: string): Promise<ObservedContainer[]> {
    const label = [`${L.node}=${this.cfg.nodeName}`];
    if (podUid) label.push(`${L.podUid}=${podUid}`);
    const found = await this.docker.listContainers({ all: true, filters: { label } });
    return found
      .filter((c) => c.Labels[L.podUid])
      .map((c) => ({
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
      }));
  }

  /** Inspect, remembered while the container stays in the same state. */
  async inspect(c: Pick<ObservedContainer, 'id' | 'state'>): Promise<ContainerDetails | undefined> {
    // An empty id would ask Docker for /containers//json, which it redirects off the socket.
    if (!c.id) return undefined;
    const key = `${c.id}:${c.state}`;
    const hit = this.details.get(c.id);
    if (hit && hit.key === key) return hit;
    try {
      const i = await this.docker.getContainer(c.id).inspect();
      const nets = i.NetworkSettings?.Networks ?? {};
      const d: ContainerDetails & { key: string } = {
        key: `${c.id}:${i.State.Status}`,
        running: i.State.Running,
        startedAt: kubeTime(i.State.StartedAt),
        finishedAt: kubeTime(i.State.FinishedAt),
        exitCode: i.State.ExitCode,
        oomKilled: i.State.OOMKilled,
        error: i.State.Error ?? '',
        ip: nets[this.cfg.network.name]?.IPAddress || undefined,
        imageId: i.Image,
      };
      this.details.set(c.id, d);
      return d;
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  }

  forget(id: string): void {
    this.details.delete(id);
  }

  /** Drops remembered details of containers that no longer exist. */
  retain(ids: Set<string>): void {
    for (const id of this.details.keys()) if (!ids.has(id)) this.details.delete(id);
  }

  private labels(pod: Pod, name: string, kind: ContainerKind, restartCount: number): Record<string, string> {
    const m = pod.metadata ?? {};
    return {
      [L.podName]: m.name ?? '',
      [L.podNamespace]: m.namespace ?? 'default',
      [L.podUid]: m.uid ?? '',
      [L.containerName]: name,
      [L.node]: this.cfg.nodeName,
      [L.restartCount]: String(restartCount),
      [L.kind]: kind,
      [L.gracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    };
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

  /** Creates and starts the pause container; returns its id and the pod IP. */
  async runSandbox(pod: Pod, attempt: number, hostIP: string): Promise<{ id: string; ip: string }> {
    const m = pod.metadata ?? {};
    const spec = pod.spec ?? { containers: [] };
    const ns = m.namespace ?? 'default';
    const hostNetwork = !!spec.hostNetwork;
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp?: string; HostPort: string }>> = {};
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort || hostNetwork) continue;
        const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
        exposed[key] = {};
        (bindings[key] ??= []).push({ HostIp: p.hostIP ?? '', HostPort: String(p.hostPort) });
      }
    }
    const domain = this.cfg.clusterDomain ?? 'cluster.local';
    const dnsPolicy = spec.dnsPolicy ?? 'ClusterFirst';
    const dns: string[] = [];
    const search: string[] = [];
    const options: string[] = [];
    if ((dnsPolicy === 'ClusterFirst' || (dnsPolicy === 'ClusterFirstWithHostNet' && hostNetwork)) && this.cfg.clusterDns && !(hostNetwork && dnsPolicy === 'ClusterFirst')) {
      dns.push(this.cfg.clusterDns);
      search.push(`${ns}.svc.${domain}`, `svc.${domain}`, domain);
      options.push('ndots:5');
    }
    if (spec.dnsConfig) {
      dns.push(...(spec.dnsConfig.nameservers ?? []));
      search.push(...(spec.dnsConfig.searches ?? []));
      for (const o of spec.dnsConfig.options ?? []) options.push(o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '');
    }
    const hostname = (spec.hostname ?? m.name ?? 'pod').slice(0, 63);
    const id = await this.create({
      name: dockerName(SANDBOX_NAME, m.name ?? '', ns, m.uid ?? '', attempt),
      Image: this.pauseImage,
      Hostname: hostNetwork ? undefined : hostname,
      Domainname: spec.subdomain ? `${spec.subdomain}.${ns}.svc.${domain}` : undefined,
      Labels: this.labels(pod, SANDBOX_NAME, 'sandbox', attempt),
      ExposedPorts: exposed,
      HostConfig: {
        NetworkMode: hostNetwork ? 'host' : this.cfg.network.name,
        IpcMode: 'shareable',
        PortBindings: bindings,
        Dns: dns.length ? dns : undefined,
        DnsSearch: search.length ? search : undefined,
        DnsOptions: options.length ? options : undefined,
        ExtraHosts: (spec.hostAliases ?? []).flatMap((h) => (h.hostnames ?? []).map((n) => `${n}:${h.ip}`)),
        RestartPolicy: { Name: 'no' },
        Init: false,
      },
    });
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      const msg = dockerErrorMessage(e);
      await this.remove(id);
      throw new Error(`failed to start sandbox container for pod "${m.name}": ${msg}`);
    }
    const i = await this.docker.getContainer(id).inspect();
    const ip = hostNetwork ? hostIP : i.NetworkSettings?.Networks?.[this.cfg.network.name]?.IPAddress ?? '';
    return { id, ip };
  }

  async sandboxIP(pod: Pod, id: string, hostIP: string): Promise<string> {
    if (pod.spec?.hostNetwork) return hostIP;
    const d = await this.inspect({ id, state: 'running' });
    return d?.ip ?? '';
  }

  /** Creates and starts one app or init container in the sandbox's namespaces. */
  async runContainer(
    pod: Pod,
    c: Container,
    kind: 'init' | 'app',
    sandboxId: string,
    restartCount: number,
    env: Map<string, string>,
    binds: string[],
  ): Promise<string> {
    const m = pod.metadata ?? {};
    const spec = pod.spec ?? { containers: [] };
    const limits = c.resources?.limits ?? {};
    let nano: number | undefined;
    let memory: number | undefined;
    try {
      nano = cpuToNano(limits.cpu as string | undefined);
      memory = memoryToBytes(limits.memory as string | undefined);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    const sc = c.securityContext ?? {};
    const user = sc.runAsUser ?? spec.securityContext?.runAsUser;
    const group = sc.runAsGroup ?? spec.securityContext?.runAsGroup;
    const hostNetwork = !!spec.hostNetwork;
    const id = await this.create({
      name: dockerName(c.name, m.name ?? '', m.namespace ?? 'default', m.uid ?? '', restartCount),
      Image: c.image,
      Entrypoint: c.command?.length ? c.command.map((s) => expandVars(s, env)) : undefined,
      Cmd: c.args?.length ? c.args.map((s) => expandVars(s, env)) : c.command?.length ? [] : undefined,
      Env: [...env].map(([k, v]) => `${k}=${v}`),
      WorkingDir: c.workingDir,
      User: user !== undefined ? `${user}${group !== undefined ? `:${group}` : ''}` : undefined,
      Tty: !!c.tty,
      OpenStdin: !!c.stdin,
      StdinOnce: !!c.stdinOnce,
      AttachStdin: false,
      Labels: { ...this.labels(pod, c.name, kind, restartCount), [L.sandbox]: sandboxId },
      HostConfig: {
        NetworkMode: hostNetwork ? 'host' : `container:${sandboxId}`,
        IpcMode: `container:${sandboxId}`,
        PidMode: spec.shareProcessNamespace ? `container:${sandboxId}` : undefined,
        Binds: binds,
        NanoCpus: nano,
        Memory: memory,
        MemorySwap: memory, // no swap beyond the limit, so the limit OOM-kills as on Kubernetes
        Privileged: !!sc.privileged,
        CapAdd: (sc.capabilities?.add as string[] | undefined) ?? undefined,
        CapDrop: (sc.capabilities?.drop as string[] | undefined) ?? undefined,
        ReadonlyRootfs: !!sc.readOnlyRootFilesystem,
        RestartPolicy: { Name: 'no' },
      },
    });
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      // The container stays (exited, State.Error set) so its status reads StartError.
      this.forget(id);
      throw new StartError(dockerErrorMessage(e), id);
    }
    return id;
  }

  /** docker stop with a grace period (SIGTERM, then SIGKILL after `graceSeconds`). */
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
    this.forget(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = statusCode(e);
      if (code !== 404 && code !== 409) throw e; // 409: removal already in progress
    }
  }

  /** Runs a command in a container; the output is kept up to 64 KiB per stream. */
  async exec(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const o = new PassThrough();
    const e = new PassThrough();
    o.on('data', (b: Buffer) => out.length < 64 && out.push(b));
    e.on('data', (b: Buffer) => err.length < 64 && err.push(b));
    this.docker.modem.demuxStream(stream, o, e);
    const deadline = Date.now() + timeoutMs;
    let exitCode = -1;
    let timedOut = false;
    try {
      for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
        const info = await exec.inspect();
        if (!info.Running && info.ExitCode !== null) {
          exitCode = info.ExitCode ?? -1;
          break;
        }
        if (Date.now() > deadline) {
          timedOut = true;
          break;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      // let the last bytes through the demuxer before closing
      await new Promise((r) => setImmediate(r));
      stream.destroy();
    }
    return { exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut };
  }

  /**
   * Follows Docker's container events for this node (start, die, oom). Reconnects after a
   * break; `stop()` ends it.
   */
  watchEvents(onEvent: (ev: { action: string; id: string; podUid: string; exitCode?: number }) => void, onError?: (e: Error) => void): { stop(): void } {
    let stopped = false;
    let current: NodeJS.ReadableStream | undefined;
    const connect = async () => {
      while (!stopped) {
        try {
          const stream = (await this.docker.getEvents({
            filters: JSON.stringify({ type: ['container'], event: ['start', 'die', 'oom', 'destroy'], label: [`${L.node}=${this.cfg.nodeName}`] }) as unknown as Record<string, string[]>,
          })) as NodeJS.ReadableStream;
          current = stream;
          let buf = '';
          await new Promise<void>((resolve) => {
            stream.on('data', (chunk: Buffer) => {
              buf += chunk.toString('utf8');
              let nl: number;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl).trim();
                buf = buf.slice(nl + 1);
                if (!line) continue;
                try {
                  const ev = JSON.parse(line) as { Action: string; id?: string; Actor?: { ID: string; Attributes?: Record<string, string> } };
                  const attrs = ev.Actor?.Attributes ?? {};
                  const code = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
                  onEvent({ action: ev.Action, id: ev.Actor?.ID ?? ev.id ?? '', podUid: attrs[L.podUid] ?? '', exitCode: code });
                } catch {
                  // a partial or foreign line: the relist covers it
                }
              }
            });
            stream.on('end', () => resolve());
            stream.on('error', () => resolve());
            stream.on('close', () => resolve());
          });
        } catch (e) {
          onError?.(e as Error);
        }
        if (!stopped) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void connect();
    return {
      stop() {
        stopped = true;
        (current as unknown as { destroy?: () => void })?.destroy?.();
      },
    };
  }
}

/** Docker created the container but could not start it (command not found, port taken…). */
export class StartError extends Error {
  constructor(
    message: string,
    readonly containerId: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}
