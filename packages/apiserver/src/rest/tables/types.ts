// meta.k8s.io Table shapes and the helpers every printer shares.
import { formatLabelSelector, type KubeObject, type LabelSelector } from '@k8ts/api';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  object?: unknown;
}

export interface Printer {
  columns: TableColumn[];
  /** One row's cells, in column order, wide columns included (the client hides priority > 0). */
  row(obj: any, now: number): unknown[];
  conditions?(obj: any): TableRow['conditions'];
}

export function col(name: string, type: TableColumn['type'] = 'string', description = '', priority = 0, format = ''): TableColumn {
  return { name, type, format, description, priority };
}

export const nameColumn = (): TableColumn => col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
export const ageColumn = (): TableColumn => col('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/** labels.FormatLabels: sorted k=v pairs, "<none>" when empty. */
export function formatLabels(m: Record<string, string> | undefined | null): string {
  const keys = Object.keys(m ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** metav1.FormatLabelSelector. */
export function formatSelector(sel: LabelSelector | undefined): string {
  return formatLabelSelector(sel);
}

export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

export type AnyObject = KubeObject;
