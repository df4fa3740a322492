// autoscaling/v2 defaults (pkg/apis/autoscaling/v2/defaults.go): minReplicas 1, CPU at 80 %
// when no metric is named, and a behavior that is given gets every rule it leaves out.
// The scale-down stabilization window stays unset: the controller's flag decides it (300 s).
type Obj = Record<string, any>;

export const DEFAULT_CPU_UTILIZATION = 80;

function scaleUpRules(): Obj {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

function scaleDownRules(): Obj {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** copyHPAScalingRules: the rules given win field by field over the defaults. */
function withDefaults(given: Obj | undefined | null, defaults: Obj): Obj {
  if (!given || typeof given !== 'object') return defaults;
  if (given.selectPolicy != null) defaults.selectPolicy = given.selectPolicy;
  if (given.stabilizationWindowSeconds != null) defaults.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  if (given.policies != null) defaults.policies = given.policies;
  return defaults;
}

export function defaultHorizontalPodAutoscaler(obj: Obj): void {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return;
  if (spec.minReplicas == null) spec.minReplicas = 1;
  if (spec.metrics == null || (Array.isArray(spec.metrics) && spec.metrics.length === 0)) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior && typeof spec.behavior === 'object') {
    spec.behavior.scaleUp = withDefaults(spec.behavior.scaleUp, scaleUpRules());
    spec.behavior.scaleDown = withDefaults(spec.behavior.scaleDown, scaleDownRules());
  }
}

/** The rules the controller applies when the object has no behavior (or lacks a direction). */
export function defaultScalingRules(direction: 'scaleUp' | 'scaleDown'): Obj {
  return direction === 'scaleUp' ? scaleUpRules() : scaleDownRules();
}
