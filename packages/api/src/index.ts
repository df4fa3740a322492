export * from './types.js';
export * from './resources.js';
