import type { Logger } from 'pino';
import { TunnelHub } from './hub.js';

export { TunnelHub, type AgentCall } from './hub.js';
export type { StreamTunnel, TunnelStream, StreamOpenRequest } from './types.js';
export { STDIN_CLOSE_CHANNEL } from './types.js';

/** The hub startApiServer hands to both faces: gRPC attaches agents, REST opens streams. */
export function createAgentTunnel(opts: { logger?: Logger } = {}): TunnelHub {
  return new TunnelHub(opts.logger);
}
