// Server-side apply and managedFields, as structured-merge-diff does them, on the schema.
export type { FieldSet } from './fieldset.js';
export { union, difference, intersection, isEmptySet, members, parseFieldsV1 } from './fieldset.js';
export { fieldSetOf } from './fieldset-of.js';
export { compare, type Comparison } from './compare.js';
export { mergeValue } from './merge.js';
export { removeMembers } from './remove.js';
export { rootType, type TypeRef } from './typed.js';
export { pathString, KeyError } from './elements.js';
export { decodeManagers, encodeManagers, type ManagedFieldsEntry, type Manager } from './entries.js';
export { recordUpdate, type WriteContext } from './record-update.js';
export { applyConfiguration, LAST_APPLIED, type ApplyContext } from './apply-config.js';
export { ApplyConflictError } from './conflicts.js';
export { managerFromUserAgent, fieldManagerProblem, FIELD_MANAGER_MAX_LENGTH } from './manager-name.js';
export type { Part } from './scope.js';
