// meta.k8s.io Table shapes and the helpers every printer shares.
import type { KubeObject } from '@k8ts/api';

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

/** metav1.LabelSelectorAsSelector(...).String(). */
export function formatSelector(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  if (!sel) return '<none>';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, text: `${e.key} in (${values})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, text: `${e.key} notin (${values})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return '<invalid>';
    }
  }
  if (reqs.length === 0) return '<none>';
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

export type AnyObject = KubeObject;
