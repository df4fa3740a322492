// What every abuser gets: the cluster's addresses and identities (sent by the soak's main
// process), its clients, the shared tally, a seeded PRNG, and a stop signal that also cuts
// short every sleep.
import { ApiClient, type Identity } from '../http.js';
import { Tally, type AbuseKind } from '../tally.js';
import { Rng } from '../../integration/fuzz-mutations.js';

export interface AbuseConfig {
  /** https://127.0.0.1:<REST port> */
  server: string;
  /** 127.0.0.1:<gRPC port> */
  grpcServer: string;
  /** The cluster CA, PEM. */
  ca: string;
  admin: Identity;
  /** Users outside system:masters, allowed to edit the flood namespace. */
  users: Identity[];
  /** A service account of the flood namespace (its own priority level). */
  serviceAccount: Identity;
  floodNamespace: string;
  fuzzNamespace: string;
  kinds: AbuseKind[];
  seed: number;
  /** Concurrent flood requests per user (the SA gets a third, the admin a sixth). */
  floodWorkers: number;
}

export class Abuse {
  readonly tally = new Tally();
  readonly rng: Rng;
  readonly admin: ApiClient;
  readonly users: ApiClient[];
  readonly sa: ApiClient;
  private stopped = false;
  private readonly wakers = new Set<() => void>();

  constructor(readonly config: AbuseConfig) {
    this.rng = new Rng(config.seed);
    const sockets = config.floodWorkers + 16;
    this.admin = new ApiClient(config.server, config.ca, config.admin, sockets);
    this.users = config.users.map((u) => new ApiClient(config.server, config.ca, u, sockets));
    this.sa = new ApiClient(config.server, config.ca, config.serviceAccount, sockets);
  }

  get clients(): ApiClient[] {
    return [this.admin, ...this.users, this.sa];
  }

  running(): boolean {
    return !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.wakers) w();
  }

  /** Sleeps `ms`, or less when the soak stops meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
