// The routing table of the Ingresses this controller serves, and the match of one request
// against it, with the Ingress API's semantics:
//   - host: an exact host beats a wildcard (`*.example.com` matches exactly one more label:
//     `a.example.com`, not `example.com` nor `a.b.example.com`), which beats a rule without
//     host; a request whose host has rules but no matching path falls through to the next of
//     these, then to the default backend.
//   - path: Exact is the whole path, case-sensitive; Prefix matches by `/`-separated elements
//     (`/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`; a trailing `/` in the rule
//     is ignored); ImplementationSpecific is a Prefix here. The longest rule path wins, then
//     Exact over Prefix, then the older Ingress (ingress-nginx's tie-break).
import type { KubeObject } from '@k8ts/api';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** Where a matched request goes: a Service's port (by number or name) or another resource. */
export interface Backend {
  namespace: string;
  service?: { name: string; port: { number?: number; name?: string } };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface Route {
  /** "" for a rule without host. */
  host: string;
  path: string;
  pathType: PathType;
  backend: Backend;
  /** namespace/name of the Ingress the rule comes from. */
  ingress: string;
}

export interface RouteTable {
  exact: Map<string, Route[]>;
  /** Keyed by the suffix after `*` (".example.com"). */
  wildcard: Map<string, Route[]>;
  any: Route[];
  defaultBackend?: { backend: Backend; ingress: string };
}

export interface Match {
  backend: Backend;
  ingress: string;
  route?: Route;
}

const created = (o: KubeObject) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;
const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function backendOf(b: any, namespace: string): Backend | undefined {
  if (b?.service?.name && typeof b.service.name === 'string') {
    const port = b.service.port ?? {};
    return { namespace, service: { name: b.service.name, port: { number: typeof port.number === 'number' && port.number ? port.number : undefined, name: port.name || undefined } } };
  }
  if (b?.resource?.kind) return { namespace, resource: { apiGroup: b.resource.apiGroup, kind: String(b.resource.kind), name: String(b.resource.name ?? '') } };
  return undefined;
}

/** Longest path first, then Exact before Prefix; the sort is stable, so older Ingresses stay ahead. */
function byPrecedence(a: Route, b: Route): number {
  return b.path.length - a.path.length || (a.pathType === 'Exact' ? 0 : 1) - (b.pathType === 'Exact' ? 0 : 1);
}

/** The table of `ingresses` (already filtered to this controller's class). */
export function buildRouteTable(ingresses: readonly KubeObject[]): RouteTable {
  const table: RouteTable = { exact: new Map(), wildcard: new Map(), any: [] };
  const sorted = [...ingresses].sort((a, b) => created(a) - created(b) || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  for (const ing of sorted) {
    const ns = ing.metadata?.namespace ?? 'default';
    const spec = (ing as any).spec ?? {};
    const def = backendOf(spec.defaultBackend, ns);
    if (def && !table.defaultBackend) table.defaultBackend = { backend: def, ingress: keyOf(ing) };
    for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
      const host = typeof rule?.host === 'string' ? rule.host.toLowerCase() : '';
      const group = !host ? table.any : host.startsWith('*.') ? getOrAdd(table.wildcard, host.slice(1)) : getOrAdd(table.exact, host);
      for (const p of Array.isArray(rule?.http?.paths) ? rule.http.paths : []) {
        const backend = backendOf(p?.backend, ns);
        const pathType = p?.pathType as PathType;
        if (!backend || !['Exact', 'Prefix', 'ImplementationSpecific'].includes(pathType)) continue;
        group.push({ host, path: typeof p.path === 'string' ? p.path : '', pathType, backend, ingress: keyOf(ing) });
      }
    }
  }
  for (const routes of [table.any, ...table.exact.values(), ...table.wildcard.values()]) routes.sort(byPrecedence);
  return table;
}

function getOrAdd(m: Map<string, Route[]>, k: string): Route[] {
  let v = m.get(k);
  if (!v) m.set(k, (v = []));
  return v;
}

/** Whether a rule's path matches a request path (already without its query). */
export function pathMatches(route: Pick<Route, 'path' | 'pathType'>, path: string): boolean {
  if (route.pathType === 'Exact') return path === route.path;
  const prefix = route.path.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The host of a Host header, lower-cased, without its port or trailing dot; undefined when it
 * is no host name (empty, spaces, a user part, …), which then matches only rules without host.
 */
export function normalizeHost(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : undefined;
  }
  const colon = h.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{0,5}$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  h = h.replace(/\.$/, '');
  return /^[a-z0-9]([a-z0-9.-]{0,252})$/.test(h) ? h : undefined;
}

function firstMatch(routes: readonly Route[] | undefined, path: string): Route | undefined {
  return routes?.find((r) => pathMatches(r, path));
}

/** The backend for a request, or undefined (no rule and no default backend: 404). */
export function matchRoute(table: RouteTable, host: string | undefined, path: string): Match | undefined {
  let route: Route | undefined;
  if (host) {
    route = firstMatch(table.exact.get(host), path);
    const dot = host.indexOf('.');
    if (!route && dot > 0) route = firstMatch(table.wildcard.get(host.slice(dot)), path);
  }
  route ??= firstMatch(table.any, path);
  if (route) return { backend: route.backend, ingress: route.ingress, route };
  return table.defaultBackend ? { ...table.defaultBackend } : undefined;
}
