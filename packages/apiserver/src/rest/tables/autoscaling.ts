// printHorizontalPodAutoscaler: the columns of `kubectl get hpa`.
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

/** formatHPAMetrics: `cpu: 12%/50%`, `memory: 20Mi/100Mi`, two at most then `+ N more...`. */
function hpaTargets(specs: any[] | undefined, statuses: any[] | undefined): string {
  if (!specs?.length) return '<none>';
  const current = (i: number, spec: any) => {
    const key = spec.type === 'ContainerResource' ? 'containerResource' : spec.type === 'Resource' ? 'resource' : String(spec.type ?? '').toLowerCase();
    const byIndex = statuses?.[i];
    if (byIndex?.type === spec.type && byIndex?.[key]?.name === spec[key]?.name) return byIndex[key];
    return statuses?.find((s) => s?.type === spec.type && s?.[key]?.name === spec[key]?.name)?.[key];
  };
  const list = specs.map((spec, i) => {
    switch (spec?.type) {
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const now = current(i, spec)?.current;
        if (src?.target?.averageValue !== undefined && src?.target?.averageValue !== null) return `${src.name}: ${now?.averageValue ?? '<unknown>'}/${src.target.averageValue}`;
        const cur = now?.averageUtilization !== undefined && now?.averageUtilization !== null ? `${now.averageUtilization}%` : '<unknown>';
        const target = src?.target?.averageUtilization !== undefined && src?.target?.averageUtilization !== null ? `${src.target.averageUtilization}%` : '<auto>';
        return `${src?.name ?? ''}: ${cur}/${target}`;
      }
      case 'Pods':
        return `${statuses?.[i]?.pods?.current?.averageValue ?? '<unknown>'}/${spec.pods?.target?.averageValue ?? ''}`;
      default:
        return '<unknown type>';
    }
  });
  const shown = list.slice(0, 2).join(', ');
  return list.length > 2 ? `${shown} + ${list.length - 2} more...` : shown;
}

export const hpaPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'integer', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn(),
  ],
  row(hpa: any, now: number) {
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    const min = spec.minReplicas === undefined || spec.minReplicas === null ? '<unset>' : String(spec.minReplicas);
    return [hpa.metadata?.name ?? '', `${ref.kind ?? ''}/${ref.name ?? ''}`, hpaTargets(spec.metrics, hpa.status?.currentMetrics), min, spec.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, since(hpa.metadata?.creationTimestamp, now)];
  },
};
