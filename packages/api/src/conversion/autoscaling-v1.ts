// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler (pkg/apis/autoscaling/v1/
// conversion.go). v2 is what is stored; v1 is a view of it. v1 has one metric (CPU
// utilisation); what it cannot say rides in upstream's annotations, so a v2 object read and
// written back through v1 keeps its other metrics, conditions and behavior. (Upstream writes
// the metrics annotations in autoscaling/v1's MetricSpec shape; here they hold v2's.)
import type { KubeObject } from '../types.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

type Obj = Record<string, any>;

const isCpuUtilization = (m: Obj) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';
const isCpuCurrent = (m: Obj) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization != null;

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key];
  delete annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // upstream ignores an annotation it cannot read
  }
}

function setAnnotation(annotations: Record<string, string>, key: string, value: unknown): void {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
  annotations[key] = JSON.stringify(value);
}

/** The v1 view of a stored (v2) object; the input is not changed. */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const src = v2 as Obj;
  const annotations: Record<string, string> = { ...(src.metadata?.annotations ?? {}) };
  const spec: Obj = src.spec ?? {};
  const outSpec: Obj = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  const metrics: Obj[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpuUtilization);
  if (cpu) outSpec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  setAnnotation(annotations, METRICS_ANNOTATION, metrics.filter((m) => m !== cpu));
  setAnnotation(annotations, BEHAVIOR_ANNOTATION, spec.behavior);

  const status: Obj = src.status ?? {};
  const outStatus: Obj = {};
  for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) outStatus[k] = status[k];
  const current: Obj[] = Array.isArray(status.currentMetrics) ? status.currentMetrics : [];
  const cpuNow = current.find(isCpuCurrent);
  if (cpuNow) outStatus.currentCPUUtilizationPercentage = cpuNow.resource.current.averageUtilization;
  setAnnotation(annotations, CURRENT_METRICS_ANNOTATION, current.filter((m) => m !== cpuNow));
  setAnnotation(annotations, CONDITIONS_ANNOTATION, status.conditions);
  if (outStatus.currentReplicas === undefined && src.status) outStatus.currentReplicas = 0;
  if (outStatus.desiredReplicas === undefined && src.status) outStatus.desiredReplicas = 0;

  const metadata = { ...src.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: Obj = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: outSpec };
  if (src.status) out.status = outStatus;
  return out as KubeObject;
}

/** The stored (v2) form of a v1 object; the input is not changed. */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const src = v1 as Obj;
  if (!src || typeof src !== 'object') return src;
  const metadata: Obj = src.metadata && typeof src.metadata === 'object' ? { ...src.metadata } : src.metadata;
  const annotations: Record<string, string> = { ...(metadata?.annotations ?? {}) };
  const spec: Obj = src.spec && typeof src.spec === 'object' ? src.spec : {};
  const outSpec: Obj = {};
  for (const k of ['scaleTargetRef', 'minReplicas', 'maxReplicas']) if (spec[k] !== undefined) outSpec[k] = spec[k];
  const metrics: Obj[] = [];
  if (spec.targetCPUUtilizationPercentage != null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  const extra = parseAnnotation(annotations, METRICS_ANNOTATION);
  if (Array.isArray(extra)) metrics.push(...extra);
  if (metrics.length) outSpec.metrics = metrics;
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (behavior && typeof behavior === 'object') outSpec.behavior = behavior;

  const status: Obj | undefined = src.status && typeof src.status === 'object' ? src.status : undefined;
  const currentExtra = parseAnnotation(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
  const out: Obj = { ...src, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: outSpec };
  if (metadata && typeof metadata === 'object') {
    metadata.annotations = annotations;
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    out.metadata = metadata;
  }
  if (status) {
    const outStatus: Obj = {};
    for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) outStatus[k] = status[k];
    const current: Obj[] = [];
    if (status.currentCPUUtilizationPercentage != null) current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
    if (Array.isArray(currentExtra)) current.push(...currentExtra);
    if (current.length) outStatus.currentMetrics = current;
    if (Array.isArray(conditions)) outStatus.conditions = conditions;
    out.status = outStatus;
  }
  return out as KubeObject;
}
