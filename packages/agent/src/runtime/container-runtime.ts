// The agent's one door to a container engine (kubelet's CRI, cut to what the agent uses):
// images, pod sandboxes, containers, their logs, exec and attach. The pod sync loop and the
// streams speak only this; `docker/` implements it with dockerode and `fake-runtime.ts` in
// memory for the unit tests. Everything a restarted agent needs to know is read back from
// the engine (labels), so nothing lives only in the agent's memory.
import type { Readable, Writable } from 'node:stream';
import type { Container, Pod } from '@k8ts/api';
import type { ContainerKind } from './labels.js';

/** One container of this node, as the engine lists it and its labels describe it. */
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

/** What inspect says of a container's life. */
export interface ContainerDetails {
  /** Creation time with the engine's full precision (the list gives whole seconds). */
  createdAt?: string;
  running: boolean;
  startedAt?: string; // RFC 3339, seconds
  finishedAt?: string;
  exitCode: number;
  oomKilled: boolean;
  error: string; // why the engine could not start it
  ip?: string; // the sandbox's address on the cluster network
  imageId: string;
  tty?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RuntimeEvent {
  action: string; // start, die, oom, destroy
  id: string;
  podUid: string;
  exitCode?: number;
}

export interface LogOptions {
  follow: boolean;
  tail?: number; // undefined: all
  sinceUnix?: number;
  timestamps: boolean;
  tty: boolean; // output of a tty container is not multiplexed
}

export interface StreamOptions {
  command?: string[]; // exec only
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean; // exec: ask for one; attach: ignored (the container's own setting counts)
}

/** A running exec or attach: output streams, input, resize, and how it ended. */
export interface StreamSession {
  stdout: Readable;
  stderr: Readable;
  stdin?: Writable;
  tty: boolean;
  /** Resolves once the engine applied it (callers order resizes by it); never rejects. */
  resize(width: number, height: number): Promise<void>;
  /** Resolves when the session is over: the command's exit code (exec), undefined (attach). */
  done: Promise<number | undefined>;
  close(): void;
}

/** A running container's resource use now (Docker's one-shot stats). */
export interface ContainerStats {
  /** Cumulative CPU time, seconds. */
  cpuSeconds: number;
  /** Memory working set as cAdvisor computes it: usage less inactive file pages. */
  workingSetBytes: number;
  /** When the engine read them, ms since the epoch. */
  timestampMs: number;
}

/** The engine's view of one image. */
export interface ImageInfo {
  id: string;
  tags: string[];
  /** The image's configured USER ("" for root). */
  user?: string;
}

/** What to run as one app or init container; the runtime turns it into engine options. */
export interface ContainerConfig {
  pod: Pod;
  container: Container;
  kind: 'init' | 'app' | 'ephemeral';
  sandboxId: string;
  /** An ephemeral container's running target (targetContainerName): it joins its PID namespace. */
  targetId?: string;
  restartCount: number;
  env: Map<string, string>;
  binds: string[];
  /** The image's configured USER, for a runAsGroup without runAsUser. */
  imageUser?: string;
}

export interface ContainerRuntime {
  /** The image every sandbox runs. */
  readonly pauseImage: string;
  ping(): Promise<void>;
  /** e.g. docker://20.10.24 */
  version(): Promise<string>;
  /** Makes sure the cluster network exists (created says whether this call made it). */
  ensureNetwork(): Promise<{ created: boolean }>;

  // images
  /** Undefined when the image is not present. */
  inspectImage(image: string): Promise<ImageInfo | undefined>;
  /** Pulls, resolving once the image is present; rejects with the engine's message. */
  pullImage(image: string): Promise<void>;
  listImages(): Promise<ImageInfo[]>;

  // sandboxes and containers
  /** Every container this node created (any pod, any state), or those of one pod. */
  list(podUid?: string): Promise<ObservedContainer[]>;
  /** Undefined when the container is gone. May be remembered while the state stays. */
  inspect(c: Pick<ObservedContainer, 'id' | 'state'>): Promise<ContainerDetails | undefined>;
  /** Resource use of a running container; undefined when it is gone or not running. */
  stats(id: string): Promise<ContainerStats | undefined>;
  /** Drops what is remembered of containers not in `ids`. */
  retain(ids: Set<string>): void;
  /** Creates and starts the pod's sandbox; returns its id and the pod IP. */
  runSandbox(pod: Pod, attempt: number, hostIP: string): Promise<{ id: string; ip: string }>;
  sandboxIP(pod: Pod, sandboxId: string, hostIP: string): Promise<string>;
  /**
   * Creates and starts one container in the sandbox's namespaces. Throws ConfigError when the
   * spec cannot be turned into a container, StartError when it was created but did not start.
   */
  runContainer(cfg: ContainerConfig): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceSeconds`; a stopped or missing container is fine. */
  stop(id: string, graceSeconds: number): Promise<void>;
  /** Removes a container (and its anonymous volumes); a missing one is fine. */
  remove(id: string): Promise<void>;
  /** Follows the engine's container events for this node until stopped; reconnects. */
  watchEvents(onEvent: (ev: RuntimeEvent) => void, onError?: (e: Error) => void): { stop(): void };

  // logs, exec, attach
  /** Runs a command and collects its output (probes, hooks); up to 64 KiB per stream. */
  exec(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult>;
  /** Output (stdout and stderr merged), ending when the log does (or never, with follow). */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  execStream(id: string, opts: StreamOptions): Promise<StreamSession>;
  attach(id: string, opts: StreamOptions): Promise<StreamSession>;
}

/** The engine created the container but could not start it (command not found, port taken…). */
export class StartError extends Error {
  constructor(
    message: string,
    readonly containerId: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}
