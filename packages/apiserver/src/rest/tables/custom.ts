// The Table of a custom resource: Name, then its CRD version's additionalPrinterColumns
// (each a JSONPath into the object), or Name and Age when it has none, as kube-apiserver's
// CRD table convertor prints them; a date cell is shown as an age. The CRDs themselves get
// Name and Created At, as upstream prints them.
import { evalJsonPath, parseJsonPath, type ResourceInfo } from '@k8ts/api';
import { col, nameColumn, type Printer, type TableColumn } from './types.js';
import { humanDuration, since } from './age.js';

const printers = new WeakMap<ResourceInfo, Printer>();

function cell(type: string, values: unknown[], now: number): unknown {
  // Upstream prints the first value found, as its table convertor takes results[0][0].
  if (values.length === 0) return null;
  const v = values[0];
  if (Array.isArray(v) || (v && typeof v === 'object')) return JSON.stringify(v);
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date': {
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

export function customPrinter(info: ResourceInfo): Printer {
  let p = printers.get(info);
  if (p) return p;
  const cols = info.custom!.columns;
  if (cols.length === 0) {
    p = { columns: [nameColumn(), col('Age', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')], row: (o: any, now: number) => [o?.metadata?.name ?? '', since(o?.metadata?.creationTimestamp, now)] };
  } else {
    const paths = cols.map((c) => parseJsonPath(c.jsonPath) ?? []);
    p = {
      columns: [nameColumn(), ...cols.map((c): TableColumn => col(c.name, c.type as TableColumn['type'], c.description ?? '', c.priority ?? 0, c.format ?? ''))],
      row: (o: any, now: number) => [o?.metadata?.name ?? '', ...cols.map((c, i) => cell(c.type, evalJsonPath(paths[i]!, o), now))],
    };
  }
  printers.set(info, p);
  return p;
}

export const crdPrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  row: (o: any) => [o?.metadata?.name ?? '', o?.metadata?.creationTimestamp ?? ''],
};
