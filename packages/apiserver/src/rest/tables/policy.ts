// Printers for PodDisruptionBudgets, ResourceQuotas and LimitRanges (kubernetes/pkg/printers/
// internalversion: printPodDisruptionBudget, printResourceQuota, printLimitRange).
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

const intOrString = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : 'N/A');
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '0');

export const pdbPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  row: (pdb: any, now: number) => [
    pdb.metadata?.name ?? '',
    intOrString(pdb.spec?.minAvailable),
    intOrString(pdb.spec?.maxUnavailable),
    Number.isInteger(pdb.status?.disruptionsAllowed) ? pdb.status.disruptionsAllowed : 0,
    since(pdb.metadata?.creationTimestamp, now),
  ],
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn(),
    ageColumn(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  row(q: any, now: number) {
    const hard = isMap(q.spec?.hard) ? q.spec.hard : {};
    const statusHard = isMap(q.status?.hard) ? q.status.hard : {};
    const used = isMap(q.status?.used) ? q.status.used : {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(`${r}: ${text(used[r])}/${text(statusHard[r])}`);
    }
    return [q.metadata?.name ?? '', since(q.metadata?.creationTimestamp, now), request.join(', '), limit.join(', ')];
  },
};

export const limitRangePrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  row: (lr: any) => [lr.metadata?.name ?? '', typeof lr.metadata?.creationTimestamp === 'string' ? lr.metadata.creationTimestamp : ''],
};
