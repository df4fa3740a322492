// The options every component's start function shares (startDns, startIngress, startProxy &
// co.): how it reaches the apiserver and where it serves its ops endpoints. main.ts fills them
// from runComponent's context; tests and the embedded cluster pass them directly.
import type { Client } from './types.js';
import type { OpsSource } from './ops.js';
import { clientFromOptions } from './grpc-client.js';

/** Where a component's start registers its ready checks and metrics (see componentOps). */
export interface ComponentOpsOptions {
  /** The entry's ops server (main.ts: runComponent's); without it, one of its own on opsPort. */
  ops?: OpsSource;
  /** In-process callers: healthz/metrics port: 0 any, negative off (default: the component's, as it passes to componentOps). */
  opsPort?: number;
}

/** A component that talks to the apiserver: its ops options and its client or how to make one. */
export interface ComponentClientOptions extends ComponentOpsOptions {
  /** Use this client instead of connecting (tests, in-process use). */
  client?: Client;
  /** Without `client`: --server, --token, --token-file, as clientFromOptions reads them (env too). */
  server?: string;
  token?: string;
  tokenFile?: string;
}

/** `opts.client`, else a GrpcClient from the options' server, token and token file. */
export function componentClient(opts: ComponentClientOptions): Client {
  return opts.client ?? clientFromOptions({ server: opts.server, token: opts.token, tokenFile: opts.tokenFile });
}
