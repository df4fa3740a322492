// Server-side printing: lists and objects as meta.k8s.io Tables, the way `kubectl get`
// asks for them. Each row carries the object's metadata (PartialObjectMetadata), which
// kubectl reads for -A, --show-labels and -L.
import { findResource, type KubeObject } from '@k8ts/api';
import { crdPrinter, customPrinter } from './custom.js';
import type { Logger } from 'pino';
import type { Printer, TableRow } from './types.js';
import { podPrinter } from './pods.js';
import { rolePrinter, roleBindingPrinter } from './rbac.js';
import { nodePrinter } from './nodes.js';
import { servicePrinter, endpointsPrinter, endpointSlicePrinter } from './services.js';
import { deploymentPrinter, replicaSetPrinter, daemonSetPrinter, jobPrinter, cronJobPrinter, statefulSetPrinter } from './workloads.js';
import { hpaPrinter } from './autoscaling.js';
import {
  namespacePrinter,
  eventPrinter,
  configMapPrinter,
  secretPrinter,
  leasePrinter,
  serviceAccountPrinter,
  controllerRevisionPrinter,
  defaultPrinter,
} from './misc.js';
import { csrPrinter } from './certificates.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';
import { ingressPrinter, ingressClassPrinter } from './networking.js';
import { pdbPrinter, resourceQuotaPrinter, limitRangePrinter } from './policy.js';

export { humanDuration, since } from './age.js';

const PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  nodes: nodePrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  endpointslices: endpointSlicePrinter,
  ingresses: ingressPrinter,
  ingressclasses: ingressClassPrinter,
  deployments: deploymentPrinter,
  replicasets: replicaSetPrinter,
  daemonsets: daemonSetPrinter,
  statefulsets: statefulSetPrinter,
  jobs: jobPrinter,
  cronjobs: cronJobPrinter,
  horizontalpodautoscalers: hpaPrinter,
  namespaces: namespacePrinter,
  events: eventPrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  leases: leasePrinter,
  serviceaccounts: serviceAccountPrinter,
  resourcequotas: resourceQuotaPrinter,
  limitranges: limitRangePrinter,
  poddisruptionbudgets: pdbPrinter,
  controllerrevisions: controllerRevisionPrinter,
  certificatesigningrequests: csrPrinter,
  roles: rolePrinter,
  clusterroles: rolePrinter,
  rolebindings: roleBindingPrinter,
  clusterrolebindings: roleBindingPrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  persistentvolumes: persistentVolumePrinter,
  storageclasses: storageClassPrinter,
  customresourcedefinitions: crdPrinter,
};

export function printerFor(resource: string): Printer {
  const info = PRINTERS[resource] ? undefined : findResource(resource);
  if (info?.custom && info.resource === resource) return customPrinter(info);
  return PRINTERS[resource] ?? defaultPrinter;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** For watch events: Kubernetes sends the column definitions with the first event only. */
  noHeaders?: boolean;
  now?: number;
  /** Where a row that could not be printed is reported. */
  logger?: Logger;
}

export function partialObjectMetadata(obj: KubeObject, version: 'v1' | 'v1beta1'): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

function rowObject(obj: KubeObject, opts: TableOptions): unknown {
  if (opts.includeObject === 'None') return undefined;
  if (opts.includeObject === 'Object') return obj;
  return partialObjectMetadata(obj, opts.version);
}

/**
 * One object's row. An object the printer cannot read (fields of the wrong types, stored
 * before validation caught them) still gets a row, its name and "<unknown>" in the other
 * columns, logged: `kubectl get` lists it (so it can be found and fixed or deleted) and one
 * such object does not fail everyone's list.
 */
function tableRow(resource: string, printer: Printer, obj: KubeObject, now: number, opts: TableOptions): TableRow {
  let row: TableRow;
  try {
    row = { cells: printer.row(obj, now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
  } catch (err) {
    const m = obj?.metadata;
    opts.logger?.warn({ resource, namespace: m?.namespace, name: m?.name, err: (err as Error)?.message ?? String(err) }, 'could not print an object as a table row');
    row = { cells: printer.columns.map((c) => (c.format === 'name' ? String(m?.name ?? '') : '<unknown>')) };
  }
  const o = rowObject(obj, opts);
  if (o !== undefined) row.object = o;
  return row;
}

export function toTable(resource: string, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const printer = printerFor(resource);
  const now = opts.now ?? Date.now();
  const rows: TableRow[] = objects.map((obj) => tableRow(resource, printer, obj, now, opts));
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows,
  };
}
