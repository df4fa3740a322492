import type { Logger } from 'pino';
import { TunnelHub } from './hub.js';
import { markAgentDisconnected } from './agent-disconnects.js';
import type { Registry } from '../registry/types.js';

export { TunnelHub, type AgentCall } from './hub.js';
export type { StreamTunnel, TunnelStream, StreamOpenRequest } from './types.js';
export { STDIN_CLOSE_CHANNEL } from './types.js';

/** The hub startApiServer hands to both faces: gRPC attaches agents, REST opens streams; a lost agent marks its Lease. */
export function createAgentTunnel(opts: { logger?: Logger; registry?: Registry } = {}): TunnelHub {
  const registry = opts.registry;
  return new TunnelHub(opts.logger, registry && ((node) => void markAgentDisconnected(registry, node, opts.logger)));
}
export { tunnelDuplex, TunnelClosedError } from './duplex.js';
