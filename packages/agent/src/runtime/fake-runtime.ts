// An in-memory ContainerRuntime for unit tests of the sync loop: containers are records that
// run until the test makes them exit (or the sync loop stops them), images are a set, and
// every call is logged, so a test drives the "engine" and checks what the agent asked of it.
import { Readable, PassThrough } from 'node:stream';
import type { Pod } from '@k8ts/api';
import { SANDBOX_NAME, type ContainerKind } from './labels.js';
import { StartError, type ContainerConfig, type ContainerDetails, type ContainerStats, type ContainerRuntime, type ExecResult, type ImageInfo, type LogOptions, type ObservedContainer, type RuntimeEvent, type StreamOptions, type StreamSession } from './container-runtime.js';
import { normalizeImage } from './images.js';

export interface FakeContainer extends ObservedContainer {
  details: ContainerDetails;
  pod: Pod;
  /** The config an app or init container was started with. */
  config?: ContainerConfig;
  logs: string[];
}

// Milliseconds kept (Docker gives nanoseconds), so back-offs of a few hundred ms are exact.
const iso = (ms: number) => new Date(ms).toISOString();

export class FakeRuntime implements ContainerRuntime {
  readonly pauseImage = 'k8ts/pause:latest';
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>([normalizeImage('k8ts/pause:latest')]);
  /** The USER an image runs as (normalized name → user); absent: root. */
  readonly imageUsers = new Map<string, string>();
  /** Images a pull makes present; others fail to pull. */
  readonly pullable = new Set<string>();
  /** Every call that changes something, in order: `runContainer app/c#0`, `stop <id> 30`, … */
  readonly calls: string[] = [];
  /** Answers exec (probes, hooks); default: exit 0. */
  execHandler: (c: FakeContainer, cmd: string[]) => ExecResult | Promise<ExecResult> = () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false });
  /** Containers whose start fails (by container name), with the runtime's message. */
  readonly failStart = new Map<string, string>();
  /** Containers the runtime refuses to create (by container name), with its message. */
  readonly failCreate = new Map<string, string>();
  /** Containers (by name) left created but not started, as by an agent that died in between. */
  readonly dieAfterCreate = new Set<string>();
  /** Exit code a container gets when stopped (by container name); default 137 (SIGKILL). */
  readonly stopExitCode = new Map<string, number>();
  down = false;
  private seq = 0;
  private ip = 1;
  private readonly listeners = new Set<(ev: RuntimeEvent) => void>();

  constructor(private readonly nodeName = 'node-1') {}

  private check(): void {
    if (this.down) throw new Error('Cannot connect to the runtime: connect ECONNREFUSED');
  }

  // Delivered later, as an engine's event stream delivers them.
  private emit(action: string, c: FakeContainer): void {
    const ev = { action, id: c.id, podUid: c.podUid, exitCode: action === 'die' ? c.details.exitCode : undefined };
    setImmediate(() => {
      for (const l of this.listeners) l(ev);
    });
  }

  async ping(): Promise<void> {
    this.check();
  }
  async version(): Promise<string> {
    this.check();
    return 'fake://1.0';
  }
  async ensureNetwork(): Promise<{ created: boolean }> {
    this.check();
    return { created: false };
  }

  async inspectImage(image: string): Promise<ImageInfo | undefined> {
    const n = normalizeImage(image);
    return this.images.has(n) ? { id: `sha256:${n}`, tags: [n], user: this.imageUsers.get(n) ?? '' } : undefined;
  }
  async pullImage(image: string): Promise<void> {
    this.check();
    this.calls.push(`pull ${image}`);
    const n = normalizeImage(image);
    if (!this.pullable.has(n) && !this.pullable.has(image)) throw new Error(`pull access denied for ${image}, repository does not exist`);
    this.images.add(n);
  }
  async listImages(): Promise<ImageInfo[]> {
    return [...this.images].map((n) => ({ id: `sha256:${n}`, tags: [n] }));
  }

  async list(podUid?: string): Promise<ObservedContainer[]> {
    this.check();
    return [...this.containers.values()].filter((c) => !podUid || c.podUid === podUid).map(({ details: _d, pod: _p, config: _c, logs: _l, ...o }) => ({ ...o }));
  }
  async inspect(c: Pick<ObservedContainer, 'id' | 'state'>): Promise<ContainerDetails | undefined> {
    this.check();
    const f = this.containers.get(c.id);
    return f ? { ...f.details } : undefined;
  }
  retain(): void {}
  /** What stats() answers, by container id (tests set it); running containers without an entry use nothing. */
  readonly usage = new Map<string, ContainerStats>();
  async stats(id: string): Promise<ContainerStats | undefined> {
    const f = this.containers.get(id);
    if (!f || !f.running) return undefined;
    return this.usage.get(id) ?? { cpuSeconds: 0, workingSetBytes: 0, timestampMs: Date.now() };
  }

  private add(pod: Pod, name: string, kind: ContainerKind, restartCount: number, sandboxId: string, image: string): FakeContainer {
    const m = pod.metadata ?? {};
    const id = `c${++this.seq}-${name}`;
    const now = Date.now();
    const c: FakeContainer = {
      id,
      kind,
      name,
      podUid: m.uid ?? '',
      podName: m.name ?? '',
      podNamespace: m.namespace ?? 'default',
      restartCount,
      running: true,
      state: 'running',
      created: Math.floor(now / 1000),
      image,
      imageId: `sha256:${normalizeImage(image)}`,
      sandboxId,
      details: { createdAt: iso(now), running: true, startedAt: iso(now), exitCode: 0, oomKilled: false, error: '', imageId: `sha256:${normalizeImage(image)}` },
      pod,
      logs: [],
    };
    this.containers.set(id, c);
    this.emit('start', c);
    return c;
  }

  async runSandbox(pod: Pod, attempt: number): Promise<{ id: string; ip: string }> {
    this.check();
    this.calls.push(`runSandbox ${pod.metadata?.name}#${attempt}`);
    const c = this.add(pod, SANDBOX_NAME, 'sandbox', attempt, '', this.pauseImage);
    c.details.ip = `10.0.0.${++this.ip}`;
    return { id: c.id, ip: c.details.ip };
  }
  async sandboxIP(pod: Pod, id: string, hostIP: string): Promise<string> {
    if (pod.spec?.hostNetwork) return hostIP;
    return this.containers.get(id)?.details.ip ?? '';
  }

  async runContainer(cfg: ContainerConfig): Promise<string> {
    this.check();
    const name = cfg.container.name;
    this.calls.push(`runContainer ${cfg.kind}/${name}#${cfg.restartCount}`);
    const refused = this.failCreate.get(name);
    if (refused) throw new Error(refused);
    const c = this.add(cfg.pod, name, cfg.kind, cfg.restartCount, cfg.sandboxId, cfg.container.image ?? '');
    c.config = cfg;
    if (this.dieAfterCreate.has(name)) {
      c.running = false;
      c.state = 'created';
      c.details = { ...c.details, running: false, startedAt: undefined };
      throw new Error('the agent stopped between create and start');
    }
    const failure = this.failStart.get(name);
    if (failure) {
      this.finish(c, 128, failure);
      throw new StartError(failure, c.id);
    }
    return c.id;
  }

  private finish(c: FakeContainer, exitCode: number, error = ''): void {
    if (!c.running) return;
    c.running = false;
    c.state = 'exited';
    c.details = { ...c.details, running: false, exitCode, error, finishedAt: iso(Date.now()) };
    this.emit('die', c);
  }

  /** The test's hand: the container (by id, or the newest of that name) exits with `code`. */
  exit(idOrName: string, code: number, opts: { oomKilled?: boolean } = {}): FakeContainer {
    const c = this.find(idOrName);
    if (!c) throw new Error(`no container ${idOrName}`);
    if (opts.oomKilled) c.details.oomKilled = true;
    this.finish(c, code);
    return c;
  }

  /** By id, or the newest instance with that container name. */
  find(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].filter((c) => c.name === idOrName).sort((a, b) => b.restartCount - a.restartCount || b.created - a.created)[0];
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    this.check();
    const c = this.containers.get(id);
    this.calls.push(`stop ${c?.kind === 'sandbox' ? SANDBOX_NAME : (c?.name ?? id)} ${graceSeconds}`);
    if (c) this.finish(c, this.stopExitCode.get(c.name) ?? 137);
  }

  async remove(id: string): Promise<void> {
    this.check();
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`remove ${c.kind === 'sandbox' ? SANDBOX_NAME : c.name}#${c.restartCount}`);
    this.finish(c, 137);
    this.containers.delete(id);
    this.emit('destroy', c);
  }

  watchEvents(onEvent: (ev: RuntimeEvent) => void): { stop(): void } {
    this.listeners.add(onEvent);
    return { stop: () => void this.listeners.delete(onEvent) };
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    this.check();
    const c = this.containers.get(id);
    if (!c?.running) return { exitCode: 126, stdout: '', stderr: 'container not running', timedOut: false };
    return this.execHandler(c, cmd);
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const lines = this.containers.get(id)?.logs ?? [];
    const tail = opts.tail !== undefined && opts.tail >= 0 ? lines.slice(Math.max(0, lines.length - opts.tail)) : lines;
    return Readable.from(tail.map((l) => Buffer.from(`${l}\n`)));
  }

  async execStream(id: string, opts: StreamOptions): Promise<StreamSession> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const done = this.exec(id, opts.command ?? []).then((r) => {
      stdout.end(r.stdout);
      stderr.end(r.stderr);
      return r.exitCode;
    });
    return { stdout, stderr, tty: opts.tty, resize: async () => {}, done, close: () => {} };
  }

  async attach(_id: string, opts: StreamOptions): Promise<StreamSession> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end();
    stderr.end();
    return { stdout, stderr, tty: opts.tty, resize: async () => {}, done: Promise.resolve(undefined), close: () => {} };
  }

  /** Containers of a pod, for assertions. */
  of(podUid: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.podUid === podUid);
  }

  get node(): string {
    return this.nodeName;
  }
}
