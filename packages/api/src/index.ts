export * from './types.js';
export * from './resources.js';
export * from './errors.js';
export * from './selectors/labels.js';
export * from './selectors/fields.js';
export { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue } from './selectors/label-syntax.js';
export * from './quantity.js';
export * from './duration.js';
export * from './token-bucket.js';
export * from './defaults.js';
export * from './helpers/index.js';
export * from './validation/index.js';
export * from './patch/index.js';
export * from './schema/index.js';
export { messageDescription, fieldDescription, describedMessages, jsonFields, type MessageDescription, type JsonField } from './schema/descriptions.js';
export {
  applyConfiguration,
  ApplyConflictError,
  recordUpdate,
  managerFromUserAgent,
  fieldManagerProblem,
  fieldSetOf,
  rootType,
  LAST_APPLIED,
  type ApplyContext,
  type WriteContext,
  type ManagedFieldsEntry,
  type Part,
} from './managedfields/index.js';
export * from './decode/index.js';
export { jsonEqual } from './managedfields/json-equal.js';
export * from './bootstrap/token.js';
export * from './conversion/index.js';
export * from './apiextensions/index.js';
export * from './net/ipv4.js';
export * from './net/pod-cidrs.js';
