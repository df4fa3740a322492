// How every k8ts process ends: the first SIGINT or SIGTERM stops it gracefully (later ones
// are ignored while it stops), then the process exits 0, or 1 when stopping failed.
import type { Logger } from 'pino';

export function stopOnSignals(logger: Logger, stop: () => Promise<unknown>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err: err instanceof Error ? err.message : String(err) }, 'stop failed');
          process.exit(1);
        },
      );
    });
  }
}
