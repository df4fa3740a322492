export { buildImages, IMAGES, IMAGE_NAMES, EXTRA_TAGS, type BuildImagesOptions, type BuildResult, type ImageName } from './images/build.js';
export { startAgent, AGENT_DEFAULTS, type Agent, type AgentOptions } from './agent.js';
export { DockerRuntime, type ObservedContainer } from './runtime/docker-runtime.js';
export { L as CONTAINER_LABELS } from './runtime/labels.js';
export { ensureNetwork, type NetworkConfig } from './runtime/network.js';
