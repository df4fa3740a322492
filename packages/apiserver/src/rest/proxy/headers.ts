// What crosses the proxy, as kube-apiserver's UpgradeAwareHandler (over Go's ReverseProxy)
// lets it: hop-by-hop headers and those the Connection header names stay on their own hop,
// the caller's credentials and impersonation headers never reach the backend (the
// authentication filter removes Authorization once it has used it), X-Forwarded-For gains
// the caller's address, and a Location pointing at the backend is put back under the proxy
// path (proxy/transport.go's rewriteURL) so redirects stay inside the proxy.
import { posix } from 'node:path';

const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function connectionTokens(raw: string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    for (const t of raw[i + 1]!.split(',')) if (t.trim()) named.add(t.trim().toLowerCase());
  }
  return named;
}

function keep(raw: string[], drop: (lower: string) => boolean): [string, string][] {
  const named = connectionTokens(raw);
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || drop(lower)) continue;
    out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

const CALLER_ONLY = (h: string) => h === 'authorization' || h.startsWith('impersonate-') || h === 'host' || h === 'x-forwarded-for';

/** The headers sent to the backend, from the request's raw header list. */
export function requestHeaders(raw: string[], host: string, clientAddress: string | undefined): [string, string][] {
  const out = keep(raw, CALLER_ONLY);
  out.push(['Host', host]);
  const prior = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'x-forwarded-for').join(', ');
  const forwarded = [prior, clientAddress].filter(Boolean).join(', ');
  if (forwarded) out.push(['X-Forwarded-For', forwarded]);
  return out;
}

/** The headers sent back to the caller, from the backend's raw header list. */
export function responseHeaders(raw: string[], rewrite: (location: string) => string): [string, string][] {
  return keep(raw, () => false).map(([k, v]) => (k.toLowerCase() === 'location' ? [k, rewrite(v)] : [k, v]));
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** host:port as a URL spells it (no default port). */
function hostOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return undefined;
  }
}

/**
 * A backend's Location seen through the proxy: an absolute path, or a URL on the backend's
 * own host (or the host the caller used), becomes a path under `prefix`; anything else
 * (another host, a relative path, garbage) passes unchanged.
 */
export function rewriteLocation(location: string, prefix: string, backendHost: string, requestHost: string | undefined): string {
  let url: URL;
  try {
    url = new URL(location, 'http://proxy.invalid');
  } catch {
    return location;
  }
  const hasHost = HAS_SCHEME.test(location) || location.startsWith('//');
  if (hasHost && url.host !== hostOf(backendHost) && url.host !== hostOf(requestHost)) return location;
  const path = hasHost ? url.pathname : location.split(/[?#]/, 1)[0]!;
  if (!path.startsWith('/')) return location;
  const tail = url.search + url.hash;
  if (path.startsWith(prefix)) return path + tail;
  let joined = posix.join(prefix, path);
  if (path.endsWith('/') && !joined.endsWith('/')) joined += '/';
  return joined + tail;
}
