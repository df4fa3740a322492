// @k8ts/scheduler: the scheduler process in a function, and its framework for new plugins.
export { startScheduler, type StartSchedulerOptions, type RunningScheduler } from './start.js';
export { Scheduler, DEFAULT_SCHEDULER_NAME, type SchedulerConfig } from './scheduler.js';
export { defaultPlugins } from './plugins/registry.js';
export * from './framework/interfaces.js';
export * from './framework/status.js';
export { CycleState } from './framework/cycle-state.js';
export { NodeInfo } from './framework/node-info.js';
export { newPodInfo, type PodInfo } from './framework/pod-info.js';
export { snapshotOf, type Snapshot } from './framework/snapshot.js';
export { fitErrorMessage, FitError } from './framework/fit-error.js';
export type { ClusterEvent } from './framework/events.js';
