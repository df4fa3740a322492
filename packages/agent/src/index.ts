export { PAUSE_IMAGE } from './images/pause.js';
export { startAgent, AGENT_DEFAULTS, type Agent, type AgentOptions } from './agent.js';
export { DockerRuntime, type RuntimeConfig } from './runtime/docker/docker-runtime.js';
export type { ContainerRuntime, ObservedContainer, ContainerDetails, ContainerConfig, ExecResult, RuntimeEvent, StreamSession } from './runtime/container-runtime.js';
export { computePodActions, type PodAction, type PodActions, type PodObservation, type InstanceState } from './pods/pod-actions.js';
export { L as CONTAINER_LABELS } from './runtime/labels.js';
export { ensureNetwork, type NetworkConfig } from './runtime/docker/network.js';
export { clientCertificatePaths } from './bootstrap/index.js';
export { parseImageRef, fullName, inRegistry, pullCandidates, isRegistryHost, DOCKER_HUB, type ImageRef, type ImageMirror } from './runtime/image-ref.js';
