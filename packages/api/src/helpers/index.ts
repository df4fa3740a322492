export * from './time.js';
export * from './objects.js';
export * from './owners.js';
export * from './conditions.js';
export * from './pods.js';
export * from './tolerations.js';
export * from './node-selector.js';
export * from './nodes.js';
