// One running cluster as chaos commands and drills see it, whether `k8ts up` started it as
// local processes (embedded) or `docker compose up` as containers (compose): how to reach its
// API, which nodes and components it has, and the faults that can be injected into it.

/** Where the cluster's API answers and with which credentials. */
export interface ApiAccess {
  /** REST base URL, e.g. https://127.0.0.1:6443 */
  url: string;
  /** gRPC host:port for @k8ts/client */
  grpc: string;
  token: string;
  /** PEM of the CA that signed the apiserver's certificate, when the REST face is HTTPS. */
  ca?: Buffer;
  /** A kubeconfig file kubectl can use for this cluster. */
  kubeconfig: string;
}

export type Fault =
  | 'kill-agent' // the agent dies, its pods keep running (kubelet crash)
  | 'kill-node' // the agent and all its pod containers die (machine lost)
  | 'pause-agent' // agent frozen: no heartbeats, pods keep running
  | 'resume'
  | 'partition' // the agent cannot reach the apiserver, pods keep running
  | 'heal';

export interface ClusterTarget {
  readonly kind: 'embedded' | 'compose';
  api(): Promise<ApiAccess>;
  /** Node names, e.g. agent-1..3. */
  nodes(): Promise<string[]>;
  /** Component names that `kill`/`restart` accept (apiserver, scheduler, etcd, etcd-2, …). */
  components(): Promise<string[]>;
  /** Inject a node fault; throws a plain Error naming the nodes when `node` is unknown. */
  nodeFault(fault: Fault, node: string): Promise<string>;
  /** Kill a component at once (SIGKILL); `scheduler`/`controller-manager` mean the current leader. Returns what was killed. */
  kill(component: string): Promise<string>;
  /** Start a killed or running component again as it was started. */
  restart(component: string): Promise<string>;
  /** Undo every fault still in place (heal partitions, resume paused agents, restart killed parts). */
  undoAll(): Promise<void>;
  /**
   * Optional: start again the components that exited on their own (a controller-manager that
   * lost its Lease while the apiserver was away), as systemd or a restart policy would; returns
   * their names. A target whose runtime restarts them itself leaves this out.
   */
  supervise?(): Promise<string[]>;
  /** The Docker engines the nodes run on, when not the host's one (machines). */
  dockerSockets?(): string[];
}
