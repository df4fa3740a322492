// kube-apiserver's --admission-control-config-file as far as PodSecurity reads it: an
// AdmissionConfiguration whose PodSecurity plugin entry holds (or names, with `path`) a
// PodSecurityConfiguration: the cluster's default policy and the exempt usernames,
// runtimeClasses and namespaces. Without a file the defaults are privileged:latest for all
// three modes, as upstream. Any error is thrown with the file and field it is about, so the
// apiserver refuses to start rather than run with a policy nobody asked for.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { LATEST, LEVEL_ERROR, MODES, VERSION_ERROR, parseLevel, parseVersion, type Policy } from './api.js';

export interface PodSecurityConfig {
  defaults: Policy;
  exemptions: { usernames: string[]; runtimeClasses: string[]; namespaces: string[] };
}

export const PRIVILEGED_DEFAULTS: PodSecurityConfig = {
  defaults: {
    enforce: { level: 'privileged', version: LATEST },
    audit: { level: 'privileged', version: LATEST },
    warn: { level: 'privileged', version: LATEST },
  },
  exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
};

const ADMISSION_API_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1alpha1', 'apiserver.k8s.io/v1alpha1'];
const PSA_API_VERSIONS = ['pod-security.admission.config.k8s.io/v1', 'pod-security.admission.config.k8s.io/v1beta1', 'pod-security.admission.config.k8s.io/v1alpha1'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class ConfigFileError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function parseYaml(text: string, file: string): unknown {
  try {
    return YAML.parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigFileError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
}

/** The PodSecurity configuration of an admission configuration file (defaults when it has none). */
export function loadAdmissionConfigFile(file: string): PodSecurityConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigFileError(`--admission-control-config-file ${file}: ${(e as Error).message}`);
  }
  const doc = parseYaml(text, file);
  if (!isObject(doc)) throw new ConfigFileError(`${file}: expected an AdmissionConfiguration object`);
  if (doc.kind !== 'AdmissionConfiguration' || !ADMISSION_API_VERSIONS.includes(String(doc.apiVersion))) {
    throw new ConfigFileError(`${file}: expected kind AdmissionConfiguration with apiVersion ${ADMISSION_API_VERSIONS[0]}, got ${String(doc.apiVersion)}/${String(doc.kind)}`);
  }
  const plugins = doc.plugins ?? [];
  if (!Array.isArray(plugins)) throw new ConfigFileError(`${file}: plugins: must be a list`);
  const entries = plugins.filter((p) => isObject(p) && p.name === 'PodSecurity') as Record<string, unknown>[];
  if (entries.length > 1) throw new ConfigFileError(`${file}: plugins: PodSecurity configured more than once`);
  const entry = entries[0];
  if (!entry) return PRIVILEGED_DEFAULTS;
  if (entry.configuration !== undefined && entry.path !== undefined) throw new ConfigFileError(`${file}: plugins[PodSecurity]: set either configuration or path, not both`);
  if (typeof entry.path === 'string') {
    const target = resolve(dirname(file), entry.path);
    let inner: string;
    try {
      inner = readFileSync(target, 'utf8');
    } catch (e) {
      throw new ConfigFileError(`${file}: plugins[PodSecurity].path ${target}: ${(e as Error).message}`);
    }
    return parsePodSecurityConfiguration(parseYaml(inner, target), target);
  }
  if (entry.configuration === undefined) return PRIVILEGED_DEFAULTS;
  return parsePodSecurityConfiguration(entry.configuration, `${file}: plugins[PodSecurity].configuration`);
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ConfigFileError(`${where}: must be a list of strings`);
  return v as string[];
}

function checkUnknown(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  if (extra.length) throw new ConfigFileError(`${where}: unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
}

export function parsePodSecurityConfiguration(doc: unknown, where: string): PodSecurityConfig {
  if (!isObject(doc)) throw new ConfigFileError(`${where}: expected a PodSecurityConfiguration object`);
  if (doc.kind !== 'PodSecurityConfiguration' || !PSA_API_VERSIONS.includes(String(doc.apiVersion))) {
    throw new ConfigFileError(`${where}: expected kind PodSecurityConfiguration with apiVersion ${PSA_API_VERSIONS[0]}, got ${String(doc.apiVersion)}/${String(doc.kind)}`);
  }
  checkUnknown(doc, ['apiVersion', 'kind', 'defaults', 'exemptions'], where);
  const defaults = doc.defaults ?? {};
  const exemptions = doc.exemptions ?? {};
  if (!isObject(defaults)) throw new ConfigFileError(`${where}: defaults: must be an object`);
  if (!isObject(exemptions)) throw new ConfigFileError(`${where}: exemptions: must be an object`);
  checkUnknown(defaults, MODES.flatMap((m) => [m, `${m}-version`]), `${where}: defaults`);
  checkUnknown(exemptions, ['usernames', 'runtimeClasses', 'namespaces'], `${where}: exemptions`);
  const errors: string[] = [];
  const policy = structuredClone(PRIVILEGED_DEFAULTS.defaults);
  for (const mode of MODES) {
    const level = defaults[mode];
    if (level !== undefined && level !== '') {
      const parsed = parseLevel(String(level));
      if (parsed) policy[mode].level = parsed;
      else errors.push(`defaults.${mode}: Invalid value: ${JSON.stringify(String(level))}: ${LEVEL_ERROR}`);
    }
    const version = defaults[`${mode}-version`];
    if (version !== undefined && version !== '') {
      const parsed = parseVersion(String(version));
      if (parsed) policy[mode].version = parsed;
      else errors.push(`defaults.${mode}-version: Invalid value: ${JSON.stringify(String(version))}: ${VERSION_ERROR}`);
    }
  }
  const usernames = stringList(exemptions.usernames, `${where}: exemptions.usernames`);
  const runtimeClasses = stringList(exemptions.runtimeClasses, `${where}: exemptions.runtimeClasses`);
  const namespaces = stringList(exemptions.namespaces, `${where}: exemptions.namespaces`);
  checkList(usernames, 'usernames', (s) => (s === '' ? 'username must not be empty' : undefined), errors);
  checkList(runtimeClasses, 'runtimeClasses', (s) => (s.length <= 253 && DNS_SUBDOMAIN.test(s) ? undefined : 'must be a valid DNS subdomain name'), errors);
  checkList(namespaces, 'namespaces', (s) => (s.length <= 63 && DNS_LABEL.test(s) ? undefined : 'must be a valid DNS label'), errors);
  if (errors.length) throw new ConfigFileError(`${where}: invalid PodSecurityConfiguration: ${errors.join(', ')}`);
  return { defaults: policy, exemptions: { usernames, runtimeClasses, namespaces } };
}

function checkList(items: string[], name: string, check: (s: string) => string | undefined, errors: string[]): void {
  const seen = new Set<string>();
  items.forEach((s, i) => {
    const why = check(s);
    if (why) errors.push(`exemptions.${name}[${i}]: Invalid value: ${JSON.stringify(s)}: ${why}`);
    else if (seen.has(s)) errors.push(`exemptions.${name}[${i}]: Duplicate value: ${JSON.stringify(s)}`);
    seen.add(s);
  });
}
