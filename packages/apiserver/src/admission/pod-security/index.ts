// Pod Security admission (the PodSecurity plugin and its configuration) and the refusal of pod
// fields the agent cannot honour.
export { PodSecurityAdmission, type PodSecurityDeps, AUDIT_VIOLATIONS_ANNOTATION } from './plugin.js';
export { UnsupportedPodFieldsAdmission, unsupportedPodFields } from './unsupported-fields.js';
export { loadAdmissionConfigFile, parsePodSecurityConfiguration, PRIVILEGED_DEFAULTS, ConfigFileError, type PodSecurityConfig } from './config.js';
export { Evaluator, forbiddenDetail, MAX_MINOR } from './evaluator.js';
export { policyFromLabels, type Policy, type Level } from './api.js';
export { registerPodSecurity, loadPodSecurityConfig } from './register.js';
