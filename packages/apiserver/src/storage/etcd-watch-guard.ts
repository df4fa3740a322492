// etcd3 multiplexes every watch on one gRPC stream and throws from that stream's 'data'
// handler when its own bookkeeping loses track of a watch id ("Failed to find watcher for
// IWatchResponse", "Could not find watcher corresponding to create response"). Thrown there,
// it is uncaught and ends the apiserver: a 10-minute soak of watch storms did so once at
// 291 s. Here such a response ends the stream instead, as a stream error does: the library
// then reconnects and every watcher resumes from the revision after the last one it saw.
import type { Etcd3 } from 'etcd3';

/** The parts of etcd3's (internal) WatchManager this guard touches. */
interface WatchManagerInternals {
  handleResponse(res: unknown): void;
  handleCreatedResponse(res: unknown): void;
  handleError(err: Error): void;
}

export function guardWatchStream(etcd: Etcd3, onReset: (err: Error) => void): void {
  const manager = (etcd as unknown as { watchManager?: WatchManagerInternals }).watchManager;
  // A library version without these would fail loudly in the test that covers this guard.
  if (!manager || typeof manager.handleResponse !== 'function' || typeof manager.handleCreatedResponse !== 'function') return;
  for (const name of ['handleResponse', 'handleCreatedResponse'] as const) {
    const original = manager[name].bind(manager);
    manager[name] = (res: unknown) => {
      try {
        original(res);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        onReset(e);
        manager.handleError(e);
      }
    };
  }
}
