// Listening helpers of the apiserver's HTTP faces.
import type http from 'node:http';
import type { Logger } from 'pino';

/**
 * Listens once the address exists: the cluster bridge that carries the advertise address is
 * made by the first agent, which may start after the apiserver.
 */
export function listenWhenAvailable(listen: () => Promise<http.Server>, logger: Logger): { stop(): Promise<void> } {
  let server: http.Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let warned = false;
  const attempt = () => {
    listen().then(
      (s) => {
        if (stopped) void closeHttp(s);
        else server = s;
      },
      (err: NodeJS.ErrnoException) => {
        if (stopped) return;
        if (!warned) logger.info({ err: err.code ?? err.message }, 'advertise address not available yet; retrying');
        warned = true;
        timer = setTimeout(attempt, 1000);
        timer.unref();
      },
    );
  };
  attempt();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (server) await closeHttp(server);
    },
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
