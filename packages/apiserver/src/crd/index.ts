export { CrdController } from './controller.js';
export { desiredStatuses } from './status.js';
