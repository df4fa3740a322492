// Warning response headers (RFC 7234 §5.5, as kube-apiserver sends them): one
// `Warning: 299 - "<text>"` per warning; kubectl prints each as `Warning: <text>`.
import type { ServerResponse } from 'node:http';

// Node takes header values as Latin-1 (and throws ERR_INVALID_CHAR on anything above \xff),
// while a warning may quote a client's field name in any script: the text goes out as its
// UTF-8 bytes, one Latin-1 character each, which is what Go's server writes for the same
// string; control characters, which no header may hold, are escaped.
function quoted(text: string): string {
  const escaped = text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${Buffer.from(escaped, 'utf8').toString('latin1')}"`;
}

/** Sets the Warning headers of a response about to be written (duplicates sent once). */
export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader('Warning', [...new Set(warnings)].map((w) => `299 - ${quoted(w)}`));
}
