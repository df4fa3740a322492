// The pod sync loop: desired state (pods bound to this node, from the informer) against
// observed state (Docker containers carrying this node's label). Each pod has one worker,
// never two syncs of one pod at once; any event (watch, Docker event, relist, timer) only
// asks for a sync. A sync reads everything it needs again, so the loop is safe to stop and
// restart at any moment: a new agent adopts what runs and rebuilds its memory from labels.
import { rmSync } from 'node:fs';
import type { Container, Pod } from '@k8ts/api';
import { isNotFound, isConflict, type Client, type Logger } from '@k8ts/client';
import { DockerRuntime, StartError, dockerErrorMessage, type ObservedContainer } from '../runtime/docker-runtime.js';
import { ImageError, ensureImage } from '../runtime/images.js';
import { ConfigError, type ObjectLookup } from '../runtime/config-error.js';
import { buildEnv } from '../runtime/env.js';
import { bindsFor, podDir, prepareVolumes, type PreparedVolume } from '../runtime/volumes.js';
import { SANDBOX_NAME } from '../runtime/labels.js';
import { Backoff, formatDuration } from './backoff.js';
import { computePodStatus, sameStatus, type ContainerView, type InstanceView } from './status.js';
import { ProbeWorker, runProbe, type ProbeKind } from './probes.js';
import { PodInformer } from './pod-informer.js';
import { EventRecorder } from './events.js';

export interface PodManagerOptions {
  client: Client;
  runtime: DockerRuntime;
  nodeName: string;
  hostIP: () => string;
  stateDir: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  relistMs?: number;
  log: Logger;
  /** Called after each sync with its duration (metrics). */
  onSync?: (ms: number, ok: boolean) => void;
}

interface PodMemory {
  waiting: Map<string, { reason: string; message?: string }>; // by container name
  ready: Map<string, boolean>; // by container id
  started: Map<string, boolean>; // by container id
  probes: Map<string, ProbeWorker>; // `${containerId}/${kind}`
  admittedAt: number; // when this agent first synced the pod: probe ticks count from here
  volumes?: Map<string, PreparedVolume>;
  startTime?: string;
  lastStatus?: unknown;
  sandboxMessage?: string;
  pod?: Pod; // last known desired state, for cleanup after the object is gone
}

interface Worker {
  running: boolean;
  pending: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

const rfc3339 = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function gracePeriodOf(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

function toView(o: ObservedContainer, d: { running: boolean; startedAt?: string; finishedAt?: string; exitCode: number; oomKilled: boolean; error: string; imageId: string } | undefined): InstanceView {
  const created = o.state !== 'created' || !!d?.error;
  let finishedAt = d?.finishedAt;
  // A container Docker could not start never finished; it counts as done at its creation.
  if (!d?.running && !finishedAt && d?.error) finishedAt = rfc3339(new Date(o.created * 1000));
  return {
    id: o.id,
    restartCount: o.restartCount,
    running: !!d?.running,
    startedAt: d?.startedAt,
    finishedAt,
    exitCode: d?.exitCode ?? 0,
    oomKilled: !!d?.oomKilled,
    error: d?.error ?? '',
    imageId: d?.imageId ?? o.imageId,
    created,
  };
}

export class PodManager {
  readonly informer: PodInformer;
  private readonly memory = new Map<string, PodMemory>();
  private readonly workers = new Map<string, Worker>();
  private readonly backoff: Backoff;
  private readonly pullBackoff: Backoff;
  private readonly events: EventRecorder;
  private readonly lookup: ObjectLookup;
  private relistTimer: NodeJS.Timeout | undefined;
  private dockerEvents: { stop(): void } | undefined;
  private stopped = false;
  private lastFingerprint = new Map<string, string>();
  private readonly log: Logger;

  constructor(private readonly o: PodManagerOptions) {
    this.log = o.log;
    this.backoff = new Backoff(o.backoffBaseMs ?? 10_000, o.backoffMaxMs ?? 300_000);
    this.pullBackoff = new Backoff(o.backoffBaseMs ?? 10_000, o.backoffMaxMs ?? 300_000);
    this.events = new EventRecorder(o.client, o.nodeName, o.log);
    this.lookup = {
      configMap: async (ns, name) => {
        try {
          return (await o.client.get('configmaps', ns, name)) as { data?: Record<string, string>; binaryData?: Record<string, string> };
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      },
      secret: async (ns, name) => {
        try {
          return (await o.client.get('secrets', ns, name)) as { data?: Record<string, string>; stringData?: Record<string, string> };
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      },
    };
    this.informer = new PodInformer(
      o.client,
      o.nodeName,
      {
        onUpsert: (pod, old) => {
          const uid = pod.metadata?.uid ?? '';
          this.mem(uid).pod = pod;
          // Our own status writes come back as MODIFIED: no need to sync for them.
          const mem = this.memory.get(uid);
          const onlyOurStatus = old && JSON.stringify(old.spec) === JSON.stringify(pod.spec) && !pod.metadata?.deletionTimestamp && mem?.lastStatus && sameStatus(mem.lastStatus, pod.status);
          if (!onlyOurStatus) this.enqueue(uid);
        },
        onDelete: (pod) => this.enqueue(pod.metadata?.uid ?? ''),
        onSynced: () => void this.relist(),
      },
      o.log,
    );
  }

  start(): void {
    this.informer.start();
    this.dockerEvents = this.o.runtime.watchEvents(
      (ev) => {
        if (ev.podUid) this.enqueue(ev.podUid);
      },
      (e) => this.log.warn({ err: e.message }, 'docker events stream failed; reconnecting'),
    );
    const every = this.o.relistMs ?? 5000;
    const loop = async () => {
      await this.relist();
      if (!this.stopped) this.relistTimer = setTimeout(() => void loop(), every);
    };
    this.relistTimer = setTimeout(() => void loop(), every);
  }

  /** Stops watching and syncing; containers keep running (pods outlive their agent). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.informer.stop();
    this.dockerEvents?.stop();
    if (this.relistTimer) clearTimeout(this.relistTimer);
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    for (const m of this.memory.values()) for (const p of m.probes.values()) p.stop();
    // let in-flight syncs finish so no Docker call is left half done
    const deadline = Date.now() + 5000;
    while ([...this.workers.values()].some((w) => w.running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Pods this agent runs (desired), for the node's status and the streams. */
  get pods(): Map<string, Pod> {
    return this.informer.pods;
  }

  private mem(uid: string): PodMemory {
    let m = this.memory.get(uid);
    if (!m) this.memory.set(uid, (m = { waiting: new Map(), ready: new Map(), started: new Map(), probes: new Map(), admittedAt: Date.now() }));
    return m;
  }

  /** Asks for a sync of the pod now or after `delayMs` (the earliest request wins). */
  enqueue(uid: string, delayMs = 0): void {
    if (!uid || this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, pending: false }));
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      if (w.timer && w.timerAt! <= at) return;
      if (w.timer) clearTimeout(w.timer);
      w.timerAt = at;
      w.timer = setTimeout(() => {
        w!.timer = undefined;
        this.enqueue(uid);
      }, delayMs);
      return;
    }
    if (w.running) {
      w.pending = true;
      return;
    }
    void this.work(uid, w);
  }

  private async work(uid: string, w: Worker): Promise<void> {
    w.running = true;
    do {
      w.pending = false;
      const t0 = Date.now();
      let ok = true;
      try {
        await this.sync(uid);
      } catch (e) {
        ok = false;
        this.log.warn({ uid, err: (e as Error).message }, 'pod sync failed; retrying');
        this.enqueue(uid, 1000);
      }
      this.o.onSync?.(Date.now() - t0, ok);
    } while (w.pending && !this.stopped);
    w.running = false;
    if (!w.timer && !this.memory.has(uid)) this.workers.delete(uid);
  }

  /** Compares Docker with the cache and asks for syncs where they differ. */
  async relist(): Promise<void> {
    if (this.stopped) return;
    let all: ObservedContainer[];
    try {
      all = await this.o.runtime.list();
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'relist: docker unreachable');
      return;
    }
    const byUid = new Map<string, ObservedContainer[]>();
    for (const c of all) (byUid.get(c.podUid) ?? byUid.set(c.podUid, []).get(c.podUid)!).push(c);
    const uids = new Set([...byUid.keys(), ...this.informer.pods.keys()]);
    for (const uid of uids) {
      const cs = byUid.get(uid) ?? [];
      const fp = cs.map((c) => `${c.id}:${c.state}`).sort().join(',');
      const known = this.informer.pods.has(uid);
      // Orphans are removed only once the informer has listed: an agent that just started
      // must not remove the containers it is about to adopt.
      if (!known && !this.informer.synced) continue;
      if (this.lastFingerprint.get(uid) !== fp || !known) this.enqueue(uid);
      this.lastFingerprint.set(uid, fp);
    }
    for (const uid of this.lastFingerprint.keys()) if (!uids.has(uid)) this.lastFingerprint.delete(uid);
    this.o.runtime.retain(new Set(all.map((c) => c.id)));
  }

  // --- one pod ---------------------------------------------------------------------------

  private async sync(uid: string): Promise<void> {
    const pod = this.informer.pods.get(uid);
    const observed = await this.o.runtime.list(uid);
    if (!pod) {
      if (!this.informer.synced) return;
      await this.cleanup(uid, observed);
      return;
    }
    const mem = this.mem(uid);
    mem.pod = pod;
    if (pod.metadata?.deletionTimestamp) {
      await this.terminate(pod, observed, mem);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.stopTerminal(pod, observed, mem);
      return;
    }
    mem.startTime ??= pod.status?.startTime ?? rfc3339();
    const hostIP = this.o.hostIP();

    // Sandbox.
    const sandboxes = observed.filter((c) => c.kind === 'sandbox').sort((a, b) => b.restartCount - a.restartCount);
    let sandbox = sandboxes.find((c) => c.running);
    let podIP = '';
    if (!sandbox) {
      const attempt = sandboxes.length ? sandboxes[0].restartCount + 1 : 0;
      // Containers of a dead sandbox lost their network: stop them; new ones follow.
      await Promise.all(observed.filter((c) => c.kind !== 'sandbox' && c.running).map((c) => this.o.runtime.stop(c.id, 0)));
      await Promise.all(sandboxes.map((s) => this.o.runtime.remove(s.id)));
      if (await this.podFinished(pod, observed)) {
        await this.writeStatus(pod, mem, observed, '', hostIP);
        return;
      }
      try {
        await ensureImage(this.o.runtime.docker, this.o.runtime.pauseImage, 'IfNotPresent');
        const sb = await this.o.runtime.runSandbox(pod, attempt, hostIP);
        podIP = sb.ip;
        mem.sandboxMessage = undefined;
        this.backoff.reset(`${uid}/${SANDBOX_NAME}`);
        sandbox = { id: sb.id, kind: 'sandbox', name: SANDBOX_NAME, podUid: uid, podName: pod.metadata?.name ?? '', podNamespace: pod.metadata?.namespace ?? '', restartCount: attempt, running: true, state: 'running', created: Date.now() / 1000, image: this.o.runtime.pauseImage, imageId: '', sandboxId: '' };
      } catch (e) {
        const msg = `Failed to create pod sandbox: ${(e as Error).message}`;
        mem.sandboxMessage = msg;
        this.events.pod(pod, 'Warning', 'FailedCreatePodSandBox', msg);
        const delay = this.backoff.next(`${uid}/${SANDBOX_NAME}`);
        await this.writeStatus(pod, mem, observed, '', hostIP);
        this.enqueue(uid, delay);
        return;
      }
    } else {
      podIP = await this.o.runtime.sandboxIP(pod, sandbox.id, hostIP);
    }
    const sandboxId = sandbox.id;
    const current = observed.filter((c) => c.kind !== 'sandbox' && c.sandboxId === sandboxId);
    const stale = observed.filter((c) => c.kind !== 'sandbox' && c.sandboxId !== sandboxId);
    // Containers from an earlier sandbox keep their restart count as history.
    const history = (name: string, kind: 'init' | 'app') => observed.filter((c) => c.kind === kind && c.name === name).sort((a, b) => b.restartCount - a.restartCount);

    // Volumes, once per pod (configMap/secret contents are read at pod start).
    if (!mem.volumes) {
      try {
        mem.volumes = await prepareVolumes(pod, this.o.stateDir, this.lookup);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) mem.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: e.message });
        this.events.pod(pod, 'Warning', 'FailedMount', e.message);
        await this.writeStatus(pod, mem, observed, podIP, hostIP);
        this.enqueue(uid, this.backoff.next(`${uid}/volumes`));
        return;
      }
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) if (mem.waiting.get(c.name)?.reason === 'CreateContainerConfigError') mem.waiting.delete(c.name);
    }

    const policy = pod.spec?.restartPolicy ?? 'Always';
    let changed = false;

    // Init containers, in order, each to completion.
    let initDone = true;
    for (const ic of pod.spec?.initContainers ?? []) {
      const insts = current.filter((c) => c.kind === 'init' && c.name === ic.name).sort((a, b) => b.restartCount - a.restartCount);
      const latest = insts[0];
      const prior = history(ic.name, 'init')[0];
      if (latest && !latest.running) {
        const d = await this.o.runtime.inspect(latest);
        if (d && d.exitCode === 0 && !d.error) continue;
      }
      initDone = false;
      if (latest?.running) break;
      if (latest) {
        if (policy === 'Never') break; // the pod fails
        if (await this.inBackoff(pod, ic, latest, mem)) break;
        changed = (await this.startContainer(pod, ic, 'init', sandboxId, latest.restartCount + 1, podIP, hostIP, mem)) || changed;
      } else {
        changed = (await this.startContainer(pod, ic, 'init', sandboxId, prior ? prior.restartCount + 1 : 0, podIP, hostIP, mem)) || changed;
      }
      break;
    }

    if (initDone) {
      await Promise.all(
        (pod.spec?.containers ?? []).map(async (c) => {
          const insts = current.filter((x) => x.kind === 'app' && x.name === c.name).sort((a, b) => b.restartCount - a.restartCount);
          const latest = insts[0];
          const prior = history(c.name, 'app')[0];
          if (latest?.running) return;
          if (latest) {
            const d = await this.o.runtime.inspect(latest);
            const exit = d?.error ? 128 : (d?.exitCode ?? 0);
            const restart = policy === 'Always' || (policy === 'OnFailure' && exit !== 0);
            if (!restart) return;
            if (await this.inBackoff(pod, c, latest, mem)) return;
            if (await this.startContainer(pod, c, 'app', sandboxId, latest.restartCount + 1, podIP, hostIP, mem)) changed = true;
            // Keep the newest dead instance for `logs --previous`; older ones go.
            for (const old of insts.slice(1)) await this.o.runtime.remove(old.id);
            return;
          }
          if (await this.startContainer(pod, c, 'app', sandboxId, prior ? prior.restartCount + 1 : 0, podIP, hostIP, mem)) changed = true;
        }),
      );
    }
    // Containers of an earlier sandbox: history only, stopped.
    await Promise.all(stale.filter((c) => c.running).map((c) => this.o.runtime.stop(c.id, 0)));

    const now = changed ? await this.o.runtime.list(uid) : observed;
    this.ensureProbes(pod, now, podIP, mem);
    const status = await this.writeStatus(pod, mem, now, podIP, hostIP);
    if (status?.phase === 'Succeeded' || status?.phase === 'Failed') {
      const fresh = await this.o.runtime.list(uid);
      await this.stopTerminal(pod, fresh, mem);
    }
  }

  /** True (and the container waits in CrashLoopBackOff) while its back-off lasts. */
  private async inBackoff(pod: Pod, c: Container, latest: ObservedContainer, mem: PodMemory): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const key = `${uid}/${c.name}`;
    const d = await this.o.runtime.inspect(latest);
    const finished = d?.finishedAt ? Date.parse(d.finishedAt) : latest.created * 1000;
    if (this.backoff.isInBackOffSince(key, finished)) {
      const m = pod.metadata ?? {};
      const delay = this.backoff.get(key);
      const message = `back-off ${formatDuration(delay)} restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${uid})`;
      if (mem.waiting.get(c.name)?.reason !== 'CrashLoopBackOff') this.events.pod(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', `spec.containers{${c.name}}`);
      mem.waiting.set(c.name, { reason: 'CrashLoopBackOff', message });
      this.enqueue(uid, this.backoff.remaining(key, finished) + 5);
      return true;
    }
    this.backoff.next(key, finished);
    return false;
  }

  /** Pull, configure, create and start one container. Returns true when one was created. */
  private async startContainer(pod: Pod, c: Container, kind: 'init' | 'app', sandboxId: string, restartCount: number, podIP: string, hostIP: string, mem: PodMemory): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const fieldPath = `spec.${kind === 'init' ? 'initContainers' : 'containers'}{${c.name}}`;
    const pullKey = `${uid}/${c.name}/pull`;
    if (this.pullBackoff.get(pullKey) && mem.waiting.has(c.name) && ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull'].includes(mem.waiting.get(c.name)!.reason)) {
      const since = this.pullFailedAt.get(pullKey) ?? 0;
      if (this.pullBackoff.isInBackOffSince(pullKey, since)) {
        // Our own status write re-triggers a sync at once: keep ErrImagePull visible for a
        // moment, as the kubelet does until its next sync, before it turns into the back-off.
        const showError = Math.min(1000, this.pullBackoff.get(pullKey));
        if (mem.waiting.get(c.name)!.reason === 'ErrImagePull' && Date.now() - since < showError) {
          this.enqueue(uid, showError - (Date.now() - since) + 5);
          return false;
        }
        mem.waiting.set(c.name, { reason: mem.waiting.get(c.name)!.reason === 'ErrImageNeverPull' ? 'ErrImageNeverPull' : 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` });
        this.enqueue(uid, this.pullBackoff.remaining(pullKey, since) + 5);
        return false;
      }
    }
    try {
      await ensureImage(this.o.runtime.docker, c.image ?? '', c.imagePullPolicy);
      this.pullBackoff.reset(pullKey);
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      const at = Date.now();
      this.pullFailedAt.set(pullKey, at);
      this.pullBackoff.next(pullKey, at);
      mem.waiting.set(c.name, { reason: e.reason, message: e.message });
      this.events.pod(pod, 'Warning', 'Failed', e.message, fieldPath);
      // Shown as ErrImagePull first, then as ImagePullBackOff until the next attempt.
      this.enqueue(uid, Math.min(1000, this.pullBackoff.get(pullKey)));
      return false;
    }
    let id: string;
    try {
      const facts = { podIP, hostIP, nodeName: this.o.nodeName };
      const env = await buildEnv(pod, c, facts, this.lookup);
      const binds = bindsFor(c, mem.volumes ?? new Map());
      id = await this.o.runtime.runContainer(pod, c, kind, sandboxId, restartCount, env, binds);
    } catch (e) {
      if (e instanceof ConfigError) {
        mem.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: e.message });
        this.events.pod(pod, 'Warning', 'Failed', `Error: ${e.message}`, fieldPath);
        this.enqueue(uid, this.backoff.next(`${uid}/${c.name}/config`));
        return false;
      }
      if (e instanceof StartError) {
        mem.waiting.delete(c.name);
        this.events.pod(pod, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${e.message}`, fieldPath);
        return true;
      }
      const msg = dockerErrorMessage(e);
      mem.waiting.set(c.name, { reason: 'CreateContainerError', message: msg });
      this.events.pod(pod, 'Warning', 'Failed', `Error: ${msg}`, fieldPath);
      this.enqueue(uid, this.backoff.next(`${uid}/${c.name}/create`));
      return false;
    }
    mem.waiting.delete(c.name);
    this.events.pod(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    if (c.lifecycle?.postStart) void this.runHook(pod, c, id, podIP, 'postStart', 30_000);
    return true;
  }

  private readonly pullFailedAt = new Map<string, number>();

  private async runHook(pod: Pod, c: Container, id: string, podIP: string, which: 'postStart' | 'preStop', timeoutMs: number): Promise<void> {
    const h = c.lifecycle?.[which];
    if (!h) return;
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, (h.sleep!.seconds ?? 0) * 1000)));
      return;
    }
    const out = await runProbe({ exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket }, c, { containerId: id, podIP, exec: (cmd, t) => this.o.runtime.exec(id, cmd, t) }, timeoutMs);
    if (!out.ok) {
      this.events.pod(pod, 'Warning', which === 'postStart' ? 'FailedPostStartHook' : 'FailedPreStopHook', `${which} hook failed: ${out.message}`, `spec.containers{${c.name}}`);
      if (which === 'postStart') await this.o.runtime.stop(id, pod.spec?.terminationGracePeriodSeconds ?? 30);
    }
  }

  /** Probe workers for the running containers; others' workers stop. */
  private ensureProbes(pod: Pod, observed: ObservedContainer[], podIP: string, mem: PodMemory): void {
    const uid = pod.metadata?.uid ?? '';
    const wanted = new Set<string>();
    for (const c of pod.spec?.containers ?? []) {
      const inst = observed.filter((x) => x.kind === 'app' && x.name === c.name && x.running).sort((a, b) => b.restartCount - a.restartCount)[0];
      if (!inst) continue;
      const kinds: [ProbeKind, typeof c.livenessProbe][] = [
        ['startup', c.startupProbe],
        ['liveness', c.livenessProbe],
        ['readiness', c.readinessProbe],
      ];
      for (const [kind, probe] of kinds) {
        if (!probe) continue;
        const key = `${inst.id}/${kind}`;
        wanted.add(key);
        const id = inst.id;
        const existing = mem.probes.get(key);
        if (existing) {
          // kubelet's UpdatePodStatus: a container not yet ready is probed again at each sync.
          if (kind === 'readiness' && mem.ready.get(id) !== true) existing.trigger();
          continue;
        }
        const target = { containerId: id, podIP, exec: (cmd: string[], t: number) => this.o.runtime.exec(id, cmd, t) };
        const startedOk = () => !c.startupProbe || mem.started.get(id) === true;
        // A container adopted after an agent restart starts from what the API shows for it,
        // so a restart does not flip Ready (and Service endpoints) off and on.
        const shown = pod.status?.containerStatuses?.find((s) => s.containerID === `docker://${id}`);
        if (shown?.ready && kind === 'readiness' && !mem.ready.has(id)) mem.ready.set(id, true);
        if (shown?.started && kind === 'startup' && !mem.started.has(id)) mem.started.set(id, true);
        const initial = kind === 'readiness' ? mem.ready.get(id) : kind === 'startup' ? mem.started.get(id) : undefined;
        const worker = new ProbeWorker({
          initial,
          anchorMs: mem.admittedAt,
          kind,
          probe,
          container: c,
          target,
          canRun: kind === 'startup' ? () => mem.started.get(id) !== true : startedOk,
          onResult: (ok, message) => {
            if (kind === 'readiness') {
              mem.ready.set(id, ok);
              if (!ok) this.events.pod(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message}`, `spec.containers{${c.name}}`);
              this.enqueue(uid);
            } else if (kind === 'startup' && ok) {
              mem.started.set(id, true);
              this.enqueue(uid);
            } else if (!ok) {
              const what = kind === 'liveness' ? 'Liveness' : 'Startup';
              this.events.pod(pod, 'Warning', 'Unhealthy', `${what} probe failed: ${message}`, `spec.containers{${c.name}}`);
              this.events.pod(pod, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, `spec.containers{${c.name}}`);
              worker.stop();
              mem.probes.delete(key);
              void this.o.runtime.stop(id, pod.spec?.terminationGracePeriodSeconds ?? 30).then(() => this.enqueue(uid));
            }
          },
        });
        mem.probes.set(key, worker);
        if (kind === 'readiness' && !mem.ready.has(id)) mem.ready.set(id, false);
        if (kind === 'startup' && !mem.started.has(id)) mem.started.set(id, false);
      }
    }
    for (const [key, w] of mem.probes) {
      if (!wanted.has(key)) {
        w.stop();
        mem.probes.delete(key);
      }
    }
    // forget probe results of containers that are gone
    const ids = new Set(observed.map((c) => c.id));
    for (const m of [mem.ready, mem.started]) for (const id of m.keys()) if (!ids.has(id)) m.delete(id);
  }

  private async views(pod: Pod, observed: ObservedContainer[], mem: PodMemory, kind: 'init' | 'app'): Promise<Map<string, ContainerView>> {
    const out = new Map<string, ContainerView>();
    const specs = kind === 'init' ? (pod.spec?.initContainers ?? []) : (pod.spec?.containers ?? []);
    for (const c of specs) {
      const insts = observed.filter((x) => x.kind === kind && x.name === c.name).sort((a, b) => b.restartCount - a.restartCount);
      const instances: InstanceView[] = [];
      for (const i of insts.slice(0, 2)) instances.push(toView(i, await this.o.runtime.inspect(i)));
      const latestId = instances[0]?.id;
      out.set(c.name, {
        instances,
        waiting: mem.waiting.get(c.name),
        ready: c.readinessProbe ? (latestId ? mem.ready.get(latestId) === true : false) : true,
        started: c.startupProbe ? (latestId ? mem.started.get(latestId) === true : false) : true,
      });
    }
    return out;
  }

  private async writeStatus(pod: Pod, mem: PodMemory, observed: ObservedContainer[], podIP: string, hostIP: string) {
    const fresh = this.informer.pods.get(pod.metadata?.uid ?? '') ?? pod;
    const status = computePodStatus({
      pod: fresh,
      init: await this.views(fresh, observed, mem, 'init'),
      app: await this.views(fresh, observed, mem, 'app'),
      podIP: podIP || undefined,
      hostIP,
      startTime: mem.startTime,
      now: rfc3339(),
      sandboxMessage: mem.sandboxMessage,
    });
    if (sameStatus(status, mem.lastStatus ?? fresh.status)) {
      mem.lastStatus = status;
      return status;
    }
    const m = fresh.metadata ?? {};
    // A status update (not a patch): the resourceVersion of what we computed from guards
    // against writing over a newer object; on conflict the latest is read and written again.
    let base: Pod = fresh;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.o.client.update('pods', { ...base, status } as never, { subresource: 'status' });
        mem.lastStatus = status;
        return status;
      } catch (e) {
        if (isNotFound(e)) return status;
        if (!isConflict(e) || attempt >= 3) throw e;
        base = (await this.o.client.get('pods', m.namespace ?? 'default', m.name ?? '')) as unknown as Pod;
        if (base.metadata?.uid !== m.uid) return status;
      }
    }
  }

  /** True when no app container would start again (restartPolicy and exit codes). */
  private async podFinished(pod: Pod, observed: ObservedContainer[]): Promise<boolean> {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    if (policy === 'Always') return false;
    const specs = pod.spec?.containers ?? [];
    for (const c of specs) {
      const latest = observed.filter((x) => x.kind === 'app' && x.name === c.name).sort((a, b) => b.restartCount - a.restartCount)[0];
      if (!latest || latest.running) return false;
      const d = await this.o.runtime.inspect(latest);
      if (policy === 'OnFailure' && (d?.exitCode ?? 1) !== 0) return false;
    }
    return specs.length > 0;
  }

  private async stopTerminal(pod: Pod, observed: ObservedContainer[], mem: PodMemory): Promise<void> {
    for (const p of mem.probes.values()) p.stop();
    mem.probes.clear();
    await Promise.all(observed.filter((c) => c.running).map((c) => this.o.runtime.stop(c.id, c.kind === 'sandbox' ? 0 : gracePeriodOf(pod))));
  }

  /** Graceful deletion: preStop, SIGTERM, SIGKILL after the grace period, remove, confirm. */
  private async terminate(pod: Pod, observed: ObservedContainer[], mem: PodMemory): Promise<void> {
    const m = pod.metadata ?? {};
    const uid = m.uid ?? '';
    const grace = gracePeriodOf(pod);
    const deadline = Date.now() + grace * 1000;
    for (const p of mem.probes.values()) p.stop();
    mem.probes.clear();
    const running = observed.filter((c) => c.kind !== 'sandbox' && c.running);
    const podIP = (await this.o.runtime.inspect({ id: observed.find((c) => c.kind === 'sandbox' && c.running)?.id ?? '', state: 'running' }).catch(() => undefined))?.ip ?? '';
    await Promise.all(
      running.map(async (c) => {
        const spec = pod.spec?.containers.find((x) => x.name === c.name);
        if (spec?.lifecycle?.preStop) {
          this.log.info({ pod: `${m.namespace}/${m.name}`, container: c.name }, 'running preStop hook');
          await this.runHook(pod, spec, c.id, podIP, 'preStop', Math.max(0, deadline - Date.now()));
        }
        this.events.pod(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, `spec.containers{${c.name}}`);
        await this.o.runtime.stop(c.id, Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
      }),
    );
    await this.removeAll(uid, observed);
    try {
      await this.o.client.delete('pods', m.namespace ?? 'default', m.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** A pod that is gone from the API (or bound elsewhere): its containers go. */
  private async cleanup(uid: string, observed: ObservedContainer[]): Promise<void> {
    const mem = this.memory.get(uid);
    if (observed.length) {
      const first = observed[0];
      this.log.info({ pod: `${first.podNamespace}/${first.podName}`, uid, containers: observed.length }, 'removing containers of a pod no longer bound here');
      await Promise.all(observed.filter((c) => c.running && c.kind !== 'sandbox').map((c) => this.o.runtime.stop(c.id, Math.min(mem?.pod ? gracePeriodOf(mem.pod) : 2, 10))));
    }
    await this.removeAll(uid, observed);
  }

  private async removeAll(uid: string, observed: ObservedContainer[]): Promise<void> {
    const mem = this.memory.get(uid);
    for (const p of mem?.probes.values() ?? []) p.stop();
    await Promise.all(observed.filter((c) => c.kind !== 'sandbox').map((c) => this.o.runtime.remove(c.id)));
    await Promise.all(observed.filter((c) => c.kind === 'sandbox').map((c) => this.o.runtime.remove(c.id)));
    try {
      rmSync(podDir(this.o.stateDir, uid), { recursive: true, force: true });
    } catch (e) {
      this.log.warn({ uid, err: (e as Error).message }, 'removing pod volumes failed');
    }
    this.memory.delete(uid);
    this.backoff.resetPrefix(`${uid}/`);
    this.pullBackoff.resetPrefix(`${uid}/`);
    this.lastFingerprint.delete(uid);
  }
}
