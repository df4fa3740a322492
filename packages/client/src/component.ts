// The entry every k8ts process shares (each package's src/main.ts): the common flags
// (--server, --token, --token-file, --ca-file, --client-cert, --client-key, --ops-port), the pino logger named after the component,
// the ops server (/healthz, /readyz, /metrics) on --ops-port, and a stop on SIGTERM/SIGINT. Exit codes: 0 after a stop or a command that finished,
// 1 when the component fails to start or to stop, 2 for a flag that cannot be used.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { createLogger, startOpsServer, type Logger, type OpsServer, type OpsSource } from './ops.js';
import { tlsFromEnv, type GrpcTlsOptions } from './grpc-tls.js';
import { keepIdleExchangeStreams } from './exchange-stream.js';

/** What a component's start gives back: something to stop. */
export interface RunningComponent {
  stop(): Promise<void>;
}

export interface ComponentContext<Opts> {
  /** The component's own flags, as commander parsed them. */
  opts: Opts;
  log: Logger;
  /** --server (env K8TS_SERVER): the apiserver's gRPC address. Empty without `client`. */
  server: string;
  /** The bearer token: --token-file's content, else --token, else env K8TS_TOKEN_FILE's content, else env K8TS_TOKEN. */
  token: string | undefined;
  /** --ca-file, --client-cert, --client-key (paths; clientFromOptions also finds them in the environment). */
  tls: GrpcTlsOptions;
  /**
   * The ops server on --ops-port (0 any free port, negative off: a registry without listener),
   * started on the first call, once; the component adds its ready checks and metrics to it.
   * The entry closes it after the component's stop. /readyz fails until the start resolved.
   */
  ops: OpsSource;
  /** Logs the message and exits 2: a flag that cannot be used. */
  fail(message: string): never;
  /** An integer flag, or fail(). */
  int(flag: string, value: string | number): number;
}

export interface ComponentSpec<Opts, Running extends RunningComponent> {
  /** The logger's component name ("scheduler"). */
  name: string;
  /** The command name in --help ("k8ts-scheduler"). */
  command: string;
  description: string;
  /** Whether it talks to the apiserver: --server, --token, --token-file (default true). */
  client?: boolean;
  /** The default --ops-port; without it there is no such flag. */
  opsPort?: number;
  /** Adds the component's own flags. */
  flags(cmd: Command): void;
  /** Extra fields on every log line (the agent's node name), from the parsed flags. */
  logFields?(opts: Opts): Record<string, unknown>;
  /** Starts it; null means the command has done its work (exit 0). */
  start(ctx: ComponentContext<Opts>): Promise<Running | null>;
  /** What the stop logs (default "stopping"). */
  stopMessage?: string;
  /** Logs a start failure its own way and gives the exit code; default: the stack, exit 1. */
  startFailed?(err: unknown, log: Logger): number;
}

interface CommonFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  caFile?: string;
  clientCert?: string;
  clientKey?: string;
  opsPort?: string;
}

/** The token from the flags or environment. The file's content is never logged, only its path in errors. */
export function resolveComponentToken(flags: { token?: string; tokenFile?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = flags.tokenFile || (flags.token ? undefined : env.K8TS_TOKEN_FILE) || undefined;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new Error(`cannot read --token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return flags.token || env.K8TS_TOKEN || undefined;
}

/**
 * What every client of this process shares. The TLS flags, put in the environment: every
 * component builds its client with clientFromOptions({ server, token }), which reads them
 * there (paths only, never contents). And a component lives until it is stopped, so its
 * clients keep their Exchange streams between requests.
 */
function shareClientSettings(flags: CommonFlags): GrpcTlsOptions {
  keepIdleExchangeStreams();
  const tls = tlsFromEnv({ caFile: flags.caFile, clientCertFile: flags.clientCert, clientKeyFile: flags.clientKey });
  if (tls.caFile) process.env.K8TS_CA_FILE = tls.caFile;
  if (tls.clientCertFile) process.env.K8TS_CLIENT_CERT = tls.clientCertFile;
  if (tls.clientKeyFile) process.env.K8TS_CLIENT_KEY = tls.clientKeyFile;
  return tls;
}

/** The parser of a component's flags: the common ones, then its own. */
export function componentCommand<Opts, Running extends RunningComponent>(spec: ComponentSpec<Opts, Running>): Command {
  const cmd = new Command(spec.command).description(spec.description);
  if (spec.client !== false) {
    cmd
      .option('--server <host:port>', 'apiserver gRPC address (env K8TS_SERVER)', process.env.K8TS_SERVER ?? '127.0.0.1:6444')
      .option('--token <token>', 'bearer token (env K8TS_TOKEN)')
      .option('--token-file <path>', 'file holding the bearer token (env K8TS_TOKEN_FILE)')
      .option('--ca-file <path>', 'CA certificate (PEM) the apiserver\'s gRPC serving certificate is checked against: TLS (env K8TS_CA_FILE)')
      .option('--client-cert <path>', 'client certificate (PEM) this component authenticates with (env K8TS_CLIENT_CERT)')
      .option('--client-key <path>', 'private key (PEM) of --client-cert (env K8TS_CLIENT_KEY)');
  }
  if (spec.opsPort !== undefined) cmd.option('--ops-port <n>', 'healthz/readyz/metrics port (0: any free port, -1: off)', String(spec.opsPort));
  spec.flags(cmd);
  return cmd;
}

/** The entry's ops server: started on the first `source()`, once; /readyz fails until `started()`. */
function entryOps(component: string, port: number, started: () => boolean): { source: OpsSource; close(): Promise<void> } {
  let server: Promise<OpsServer> | undefined;
  const start = async (): Promise<OpsServer> => {
    const ops = await startOpsServer({ component, port });
    ops.addReadyCheck('started', started);
    return ops;
  };
  return {
    source: () => (server ??= start()),
    close: async () => void (await (await server)?.close()),
  };
}

/**
 * Runs a component as its process: parses argv, starts it, and stops it once on SIGTERM or
 * SIGINT. Resolves once it has started (the process then lives on its servers and timers).
 */
export async function runComponent<Opts, Running extends RunningComponent>(spec: ComponentSpec<Opts, Running>, argv: string[] = process.argv): Promise<void> {
  const cmd = componentCommand(spec).parse(argv);
  const all = cmd.opts<CommonFlags & Record<string, unknown>>();
  const opts = all as unknown as Opts;
  const log = createLogger(spec.name, spec.logFields?.(opts) ?? {});
  const fail = (message: string): never => {
    log.fatal({ reason: 'InvalidFlag' }, message);
    process.exit(2);
  };
  const int = (flag: string, value: string | number): number => {
    const n = Number(value);
    return Number.isInteger(n) ? n : fail(`${flag} must be an integer, got ${value}`);
  };
  // Read when the component asks for it (proxy --cleanup never does), once.
  let token: { value: string | undefined } | undefined;
  const readToken = (): string | undefined => {
    if (spec.client === false) return undefined;
    try {
      token ??= { value: resolveComponentToken(all) };
    } catch (e) {
      fail((e as Error).message);
    }
    return token?.value;
  };
  // Checked before the start, as every flag is; the server itself waits for ctx.ops().
  const opsPort = spec.opsPort !== undefined ? int('--ops-port', all.opsPort ?? spec.opsPort) : -1;
  let running: Running | undefined;
  const ops = entryOps(spec.name, opsPort, () => running !== undefined);
  const ctx: ComponentContext<Opts> = {
    opts,
    log,
    server: spec.client !== false ? String(all.server) : '',
    get token() {
      return readToken();
    },
    tls: spec.client !== false ? shareClientSettings(all) : {},
    ops: ops.source,
    fail,
    int,
  };

  // Handlers go in before the start, so a signal that comes while it runs stops the component
  // once it is up instead of killing the process halfway.
  let signalled: NodeJS.Signals | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    signalled ??= signal;
    if (!running || stopping) return; // still starting: stopped once it is up
    stopping = true;
    log.info({ signal: signalled }, spec.stopMessage ?? 'stopping');
    running
      .stop()
      .then(ops.close)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err: (err as Error)?.stack ?? String(err) }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let started: Running | null;
  try {
    started = await spec.start(ctx);
    // Every component with --ops-port serves it, whether or not its start asked for it.
    if (started && spec.opsPort !== undefined) await ops.source();
  } catch (err) {
    const code = spec.startFailed ? spec.startFailed(err, log) : (log.fatal({ err: (err as Error)?.stack ?? String(err) }, `${spec.name} failed to start`), 1);
    process.exit(code);
  }
  if (!started) {
    await ops.close();
    process.exit(0);
  }
  running = started;
  if (signalled) stop(signalled);
}
