// A schema's `pattern`, compiled as kube-apiserver compiles it: Go's regexp, which is RE2 —
// its syntax, and matching in time linear in the input. The client who writes a custom object
// is not the one who wrote the CRD's pattern: with V8's backtracking engine a pattern such as
// `^(a+)+$` and a 40-character string would hold the apiserver's event loop for minutes.
import { RE2JS } from 're2js';

const cache = new Map<string, RE2JS | Error>();

/** The compiled pattern, or the syntax error RE2 gives it. */
export function compilePattern(pattern: string): RE2JS | Error {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    // Patterns come from CRDs, a few per cluster; the bound only keeps a churn of CRDs from growing it.
    if (cache.size >= 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Whether `v` holds a match of the pattern anywhere, as Go's MatchString; undefined if it does not compile. */
export function matchesPattern(pattern: string, v: string): boolean | undefined {
  const re = compilePattern(pattern);
  return re instanceof Error ? undefined : re.test(v);
}
