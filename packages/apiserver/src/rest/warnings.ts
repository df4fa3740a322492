// Warning response headers (RFC 7234 §5.5, as kube-apiserver sends them): one
// `Warning: 299 - "<text>"` per warning; kubectl prints each as `Warning: <text>`.
import type { ServerResponse } from 'node:http';

function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Sets the Warning headers of a response about to be written (duplicates sent once). */
export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader('Warning', [...new Set(warnings)].map((w) => `299 - ${quoted(w)}`));
}
