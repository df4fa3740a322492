// The path and query of a request. Most requests of components and kubectl are plain paths
// (a create is `/api/v1/namespaces/x/configmaps`): those skip WHATWG URL parsing, a few µs
// of every request. Anything URL parsing could change (a query, an escape, a dot segment,
// a backslash, non-ASCII) still goes through it, so both give the same pathname.
export interface RequestUrl {
  pathname: string;
  searchParams: URLSearchParams;
}

const NEEDS_PARSING = /[?#%\\]|\/\.|[^\x21-\x7e]/;

export function requestUrl(raw: string | undefined): RequestUrl {
  const target = raw || '/';
  if (target.charCodeAt(0) === 47 /* / */ && target.charCodeAt(1) !== 47 && !NEEDS_PARSING.test(target)) {
    return { pathname: target, searchParams: new URLSearchParams() };
  }
  return new URL(target, 'http://localhost');
}
