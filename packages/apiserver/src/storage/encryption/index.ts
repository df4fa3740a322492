export { ValueTransformer, EncryptionError, type ReadValue } from './transformer.js';
export { parseEncryptionConfig, loadEncryptionConfig, type ResourceEncryption, type ProviderEntry } from './config.js';
export type { ProviderKind, KeyedProvider } from './providers.js';
