export type { FieldSchema, MessageSchema, ValueKind } from './types.js';
export { messageSchema, kindSchema, metaSchema, protoPackage } from './schema.js';
export { protoRoot, generatedDescriptors } from './proto-root.js';
export { ANNOTATIONS, fieldAnnotations, type Annotation } from './annotations.js';
export { SPECIAL_MESSAGES } from './special-types.js';
export { keepsZero, zeroValueEntries } from './zero-values.js';
