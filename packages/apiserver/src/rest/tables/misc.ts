// Printers for namespaces, events, config maps, secrets, leases, service accounts,
// controller revisions, and the NAME/AGE table for anything else.
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

export const namespacePrinter: Printer = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (ns: any, now: number) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)],
};

function eventSource(ev: any): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
  ],
  row(ev: any, now: number) {
    let first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime, now);
    let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = since(ev.series.lastObservedTime, now);
      count = ev.series.count ?? count;
    } else if (count === 0) {
      count = 1;
    }
    const io = ev.involvedObject ?? {};
    const kind = String(io.kind ?? '').toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    if (!first) first = '<unknown>';
    return [last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', eventSource(ev), String(ev.message ?? '').trim(), first, count, ev.metadata?.name ?? ''];
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), col('Data', 'integer', 'Data contains the configuration data.'), ageColumn()],
  row: (cm: any, now: number) => [
    cm.metadata?.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    since(cm.metadata?.creationTimestamp, now),
  ],
};

export const secretPrinter: Printer = {
  columns: [nameColumn(), col('Type', 'string', 'The type of the secret'), col('Data', 'integer', 'The number of data items in the secret'), ageColumn()],
  row: (s: any, now: number) => [s.metadata?.name ?? '', s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, since(s.metadata?.creationTimestamp, now)],
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
  row: (l: any, now: number) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '<none>', since(l.metadata?.creationTimestamp, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), col('Secrets', 'integer', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn()],
  row: (sa: any, now: number) => [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)],
};

export const controllerRevisionPrinter: Printer = {
  columns: [nameColumn(), col('Controller', 'string', 'Controller of the object'), col('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'), ageColumn()],
  row(cr: any, now: number) {
    const owner = (cr.metadata?.ownerReferences ?? []).find((o: any) => o.controller);
    let controller = '<none>';
    if (owner) {
      const group = String(owner.apiVersion ?? '').includes('/') ? String(owner.apiVersion).split('/')[0] : '';
      controller = `${String(owner.kind).toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`;
    }
    return [cr.metadata?.name ?? '', controller, cr.revision ?? 0, since(cr.metadata?.creationTimestamp, now)];
  },
};

export const defaultPrinter: Printer = {
  columns: [nameColumn(), ageColumn()],
  row: (o: any, now: number) => [o.metadata?.name ?? '', since(o.metadata?.creationTimestamp, now)],
};
