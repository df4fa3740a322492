export { RequestLimiter, type LimiterOptions } from './limiter.js';
export { classify, type LevelName } from './classify.js';
export { PriorityLevel, rejected, type Release } from './priority-level.js';
export { isLongRunning } from './long-running.js';
export { withSeat, holdSeat } from './seat.js';
export { registerFlowControlMetrics } from './metrics.js';
