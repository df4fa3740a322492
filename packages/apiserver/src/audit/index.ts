export { AuditLog, DEFAULT_AUDIT_LOG_MAX_SIZE_MB, DEFAULT_AUDIT_LOG_MAX_BACKUPS, type AuditLogOptions } from './log.js';
export { parsePolicy, loadPolicy, levelFor, ruleFor, METADATA_FOR_ALL, type AuditPolicy, type AuditLevel, type AuditStage, type PolicyRule } from './policy.js';
export { RequestAudit, type AuditSource, type RequestAttributes } from './request.js';
export { auditEvent, auditEventLine, type AuditEventFields } from './event.js';
export { noteRequestObject, requestObjectOf, noteResponseStatus, responseStatusOf } from './notes.js';
export { sourceIPs, grpcPeerIp, auditIdFor, normalizeIp } from './source.js';
