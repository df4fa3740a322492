export * from './types.js';
export { validateValue, jsonType } from './validate-value.js';
export { prune } from './prune.js';
export { applySchemaDefaults } from './defaulting.js';
export { validateStructuralSchema } from './structural.js';
export { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate, defaultCustomResourceDefinition } from './validate-crd.js';
export { parseJsonPath, evalJsonPath, type PathStep } from './jsonpath.js';
export { customResourceInfos, customResourceKey, compareKubeVersions, type CustomResourceRules } from './resource-info.js';
export { decodeCustomObject } from './decode-custom.js';
