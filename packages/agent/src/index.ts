export { PAUSE_IMAGE } from './images/pause.js';
export { startAgent, AGENT_DEFAULTS, type Agent, type AgentOptions } from './agent.js';
export { DockerRuntime, type ObservedContainer } from './runtime/docker-runtime.js';
export { L as CONTAINER_LABELS } from './runtime/labels.js';
export { ensureNetwork, type NetworkConfig } from './runtime/network.js';
