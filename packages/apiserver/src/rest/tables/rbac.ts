// Printers of the rbac.authorization.k8s.io kinds, as kubectl prints them
// (pkg/printers/internalversion: roleColumnDefinitions, roleBindingsColumnDefinitions).
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

const createdAt = () => col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

export const rolePrinter: Printer = {
  columns: [nameColumn(), createdAt()],
  row: (r: any) => [r.metadata?.name ?? '', r.metadata?.creationTimestamp ?? ''],
};

function subjectsOf(b: any): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of Array.isArray(b.subjects) ? b.subjects : []) {
    if (s?.kind === 'User') users.push(s.name);
    else if (s?.kind === 'Group') groups.push(s.name);
    else if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const roleBindingPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Role', 'string', 'RoleRef is the reference to the role.'),
    ageColumn(),
    col('Users', 'string', 'Users in the roleBinding', 1),
    col('Groups', 'string', 'Groups in the roleBinding', 1),
    col('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
  ],
  row: (b: any, now: number) => [b.metadata?.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, since(b.metadata?.creationTimestamp, now), ...subjectsOf(b)],
};
