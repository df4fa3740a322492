// The name segment of a proxy path and the path proxied after it, parsed as kube-apiserver
// parses them: `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT` (utilnet.SplitSchemeNamePort; the
// scheme "", http or https), and the rest of the URL after `/proxy`.
import type { ResourceRoute } from '../route.js';

export interface ProxyId {
  scheme: '' | 'http' | 'https';
  name: string;
  port: string;
}

export function splitSchemeNamePort(id: string): ProxyId | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme: scheme as ProxyId['scheme'], name, port };
}

/** A port of 1–65535 written as digits alone, or undefined. */
export function portNumber(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export interface ProxyPath {
  /** The request path up to and including `/proxy` (what a Location the backend sends is put under). */
  prefix: string;
  /** The path proxied: '' for `…/proxy`, '/' for `…/proxy/`, '/a/b' for `…/proxy/a/b`. */
  path: string;
}

/**
 * Splits a request path (as sent, percent-escapes kept) at its proxy subresource. The segments
 * before it are counted from the route: /api/v1 or /apis/<g>/<v>, the namespace, the resource
 * and the name, then `proxy`.
 */
export function proxyPath(pathname: string, route: Pick<ResourceRoute, 'group' | 'namespace'>): ProxyPath {
  const segs = pathname.split('/').filter((s) => s !== '');
  const n = (route.group ? 3 : 2) + (route.namespace !== undefined ? 2 : 0) + 3;
  const rest = segs.slice(n);
  const slash = pathname.endsWith('/');
  const path = rest.length ? `/${rest.join('/')}${slash ? '/' : ''}` : slash ? '/' : '';
  return { prefix: `/${segs.slice(0, n).join('/')}`, path };
}

/** The query as sent (`?a=b`, or ''), passed to the backend unchanged. */
export function rawQuery(rawUrl: string | undefined): string {
  const url = rawUrl ?? '';
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q, hash < 0 ? undefined : hash);
}
