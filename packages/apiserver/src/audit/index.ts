export { AuditLog, type AuditRequest, type AuditLogOptions } from './log.js';
export { parsePolicy, loadPolicy, levelFor, METADATA_FOR_ALL, type AuditPolicy, type AuditLevel, type PolicyRule } from './policy.js';
