// The PodSecurity admission plugin (k8s.io/pod-security-admission/admission): pods are checked
// against their namespace's enforce level on create and on updates that can change what the
// checks see; pods and workload templates against the audit level (a log line carrying the
// audit annotation) and the warn level (Warning headers: `would violate PodSecurity
// "restricted:latest": …`); templates are never enforced, as upstream. Namespace writes get
// their labels validated, and a stricter enforce level warns about existing pods that violate it.
import type { KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import * as errs from '../../registry/errors.js';
import type { AdmissionPlugin, AdmissionRequest } from '../../registry/admission.js';
import { MODES, compareLevels, fullyPrivileged, levelLabel, levelVersionString, policyFromLabels, sameLevelVersion, versionLabel, type LabelError, type Mode, type Policy } from './api.js';
import type { PodSecurityConfig } from './config.js';
import { Evaluator, forbiddenDetail, forbiddenReason, type AggregateResult } from './evaluator.js';
import { TEMPLATE_RESOURCES, extractPodSpec, type PodLike } from './pod-spec.js';
import { isSignificantPodUpdate } from './significant-update.js';

export interface PodSecurityDeps {
  config: PodSecurityConfig;
  /** The namespace as stored, undefined when it does not exist. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  listPods(namespace: string): Promise<KubeObject[]>;
  logger?: Logger;
  evaluator?: Evaluator;
}

const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);
const NAMESPACE_MAX_PODS_TO_CHECK = 3000;
const NAMESPACE_POD_CHECK_MS = 1000;
export const AUDIT_VIOLATIONS_ANNOTATION = 'pod-security.kubernetes.io/audit-violations';

export function labelCauses(errors: LabelError[]) {
  return errors.map((e) => ({ field: e.field, message: `Invalid value: ${JSON.stringify(e.value)}: ${e.message}`, type: 'FieldValueInvalid' }));
}

export class PodSecurityAdmission implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  private readonly evaluator: Evaluator;

  constructor(private readonly deps: PodSecurityDeps) {
    this.evaluator = deps.evaluator ?? new Evaluator();
  }

  async validate(req: AdmissionRequest): Promise<void> {
    // The apiserver's own writes (no user) and deletes are not Pod Security's business.
    if (!req.user || req.operation === 'DELETE') return;
    if (req.resource === 'namespaces') return this.validateNamespace(req);
    if (req.resource === 'pods') return this.validatePod(req);
    if (TEMPLATE_RESOURCES.has(req.resource)) return this.validateTemplate(req);
  }

  private exempt(req: AdmissionRequest): boolean {
    const ex = this.deps.config.exemptions;
    return (!!req.namespace && ex.namespaces.includes(req.namespace)) || (!!req.user?.name && ex.usernames.includes(req.user.name));
  }

  private async namespacePolicy(namespace: string): Promise<{ policy: Policy; errors: LabelError[] }> {
    const ns = await this.deps.getNamespace(namespace);
    return policyFromLabels(ns?.metadata?.labels as Record<string, unknown> | undefined, this.deps.config.defaults);
  }

  private async validatePod(req: AdmissionRequest): Promise<void> {
    if (IGNORED_POD_SUBRESOURCES.has(req.subresource) || this.exempt(req)) return;
    if (req.operation === 'UPDATE' && req.oldObject && req.object && !isSignificantPodUpdate(req.object, req.oldObject)) return;
    const { policy, errors } = await this.namespacePolicy(req.namespace);
    if (!errors.length && fullyPrivileged(policy)) return;
    const pod = extractPodSpec('pods', req.object);
    if (pod) this.evaluate(req, policy, errors, pod, true);
  }

  private async validateTemplate(req: AdmissionRequest): Promise<void> {
    if (req.subresource !== '' || this.exempt(req)) return;
    const { policy, errors } = await this.namespacePolicy(req.namespace);
    if (!errors.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    const pod = extractPodSpec(req.resource, req.object);
    if (pod) this.evaluate(req, policy, errors, pod, false);
  }

  /** Enforce (pods only), audit and warn, each level:version evaluated once. */
  private evaluate(req: AdmissionRequest, policy: Policy, labelErrors: LabelError[], pod: PodLike, enforce: boolean): void {
    const runtimeClass = pod.spec.runtimeClassName;
    if (runtimeClass && this.deps.config.exemptions.runtimeClasses.includes(runtimeClass)) return;
    const cache = new Map<string, AggregateResult>();
    const run = (mode: keyof Policy): AggregateResult => {
      const key = levelVersionString(policy[mode]);
      let r = cache.get(key);
      if (!r) {
        r = this.evaluator.evaluate(policy[mode], pod.meta, pod.spec);
        cache.set(key, r);
      }
      return r;
    };
    const enforced = enforce ? run('enforce') : undefined;
    const audit = run('audit');
    if (!audit.allowed || labelErrors.length) {
      const annotations: Record<string, string> = {};
      if (!audit.allowed) annotations[AUDIT_VIOLATIONS_ANNOTATION] = `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(audit)}`;
      if (labelErrors.length) annotations['pod-security.kubernetes.io/error'] = `Failed to parse policy: ${labelErrors.map((e) => `${e.field}: Invalid value: ${JSON.stringify(e.value)}: ${e.message}`).join(', ')}`;
      this.deps.logger?.info({ auditAnnotations: annotations, verb: req.operation.toLowerCase(), resource: req.resource, namespace: req.namespace, name: req.name, user: req.user?.name }, 'PodSecurity audit');
    }
    if (enforced && !enforced.allowed) {
      throw errs.forbidden('pods', req.name, `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(enforced)}`);
    }
    const warn = run('warn');
    if (!warn.allowed) req.warnings?.push(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warn)}`);
  }

  private async validateNamespace(req: AdmissionRequest): Promise<void> {
    if (req.subresource !== '' || !req.object) return;
    const labels = req.object.metadata?.labels as Record<string, unknown> | undefined;
    const next = policyFromLabels(labels, this.deps.config.defaults);
    const invalid = () => errs.invalid('Namespace', req.name, labelCauses(next.errors));
    if (req.operation === 'CREATE') {
      if (next.errors.length) throw invalid();
      this.warnExempt(req, next.policy, labels);
      return;
    }
    const old = policyFromLabels(req.oldObject?.metadata?.labels as Record<string, unknown> | undefined, this.deps.config.defaults);
    // A namespace stored with bad labels may still be updated, as long as it does not change them.
    if (next.errors.length && (!old.errors.length || JSON.stringify(next.errors) !== JSON.stringify(old.errors))) throw invalid();
    const n = next.policy.enforce;
    const o = old.policy.enforce;
    if (sameLevelVersion(n, o) || n.level === 'privileged') return;
    if (n.version.latest === o.version.latest && n.version.minor === o.version.minor && compareLevels(n.level, o.level) < 1) return;
    if (this.deps.config.exemptions.namespaces.includes(req.name)) return this.warnExempt(req, next.policy, labels);
    req.warnings?.push(...(await this.existingPodWarnings(req.name, next.policy)));
  }

  /** Labels on an exempt namespace that ask for more than the defaults are ignored: say so. */
  private warnExempt(req: AdmissionRequest, policy: Policy, labels: Record<string, unknown> | undefined): void {
    if (!this.deps.config.exemptions.namespaces.includes(req.name) || fullyPrivileged(policy)) return;
    const d = this.deps.config.defaults;
    const equivalent = (m: Mode) => policy[m].level === d[m].level && (policy[m].level === 'privileged' || sameLevelVersion(policy[m], d[m]));
    if (MODES.every(equivalent)) return;
    const has = (k: string) => !!labels && Object.prototype.hasOwnProperty.call(labels, k);
    const parts = MODES.filter((m) => policy[m].level !== 'privileged' && (has(levelLabel(m)) || has(versionLabel(m)))).map((m) => `${m}=${levelVersionString(policy[m])}`);
    req.warnings?.push(`namespace ${JSON.stringify(req.name)} is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`);
  }

  /** EvaluatePodsInNamespace upstream: one warning per distinct set of reasons, naming a pod. */
  private async existingPodWarnings(namespace: string, policy: Policy): Promise<string[]> {
    let pods: KubeObject[];
    try {
      pods = await this.deps.listPods(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const total = pods.length;
    const deadline = Date.now() + NAMESPACE_POD_CHECK_MS;
    const byWarning = new Map<string, { pod: string; count: number }>();
    let checked = 0;
    for (const pod of pods.slice(0, NAMESPACE_MAX_PODS_TO_CHECK)) {
      checked++;
      const rc = pod.spec?.runtimeClassName;
      if (!(rc && this.deps.config.exemptions.runtimeClasses.includes(rc))) {
        const r = this.evaluator.evaluate(policy.enforce, pod.metadata ?? {}, pod.spec ?? {});
        if (!r.allowed) {
          const w = forbiddenReason(r);
          const name = pod.metadata?.name ?? '';
          const c = byWarning.get(w);
          if (!c) byWarning.set(w, { pod: name, count: 1 });
          else {
            c.count++;
            if (name < c.pod) c.pod = name;
          }
        }
      }
      if (Date.now() > deadline) break;
    }
    const out: string[] = [];
    if (checked < total) out.push(`new PodSecurity enforce level only checked against the first ${checked} of ${total} existing pods`);
    if (byWarning.size) out.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(policy.enforce)}"`);
    const decorated = [...byWarning].map(([w, c]) => (c.count === 1 ? `${c.pod}: ${w}` : c.count === 2 ? `${c.pod} (and 1 other pod): ${w}` : `${c.pod} (and ${c.count - 1} other pods): ${w}`));
    decorated.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...out, ...decorated];
  }
}
