export { decodeObject, parseFieldValidation, type DecodeOptions, type Decoded, type FieldValidation } from './decode.js';
export { DecodeError, cannotBeHandled } from './errors.js';
export { scanJson, MAX_DEPTH, type JsonScan } from './json-scan.js';
export { parseJsonText, parseYamlText, type ParsedBody } from './parse.js';
