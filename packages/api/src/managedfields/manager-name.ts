// The manager of a write that names none: upstream's prefixFromUserAgent, the User-Agent up
// to its first "/", printable characters only, at most 128 bytes.
export const FIELD_MANAGER_MAX_LENGTH = 128;
/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function managerFromUserAgent(userAgent: string | undefined): string {
  if (!userAgent) return '';
  const prefix = userAgent.split('/')[0]!;
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!PRINTABLE.test(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Upstream's ValidateFieldManager: undefined when valid, else the reason. */
export function fieldManagerProblem(manager: string): string | undefined {
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) return `fieldManager: Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`;
  let i = 0;
  for (const ch of manager) {
    if (!PRINTABLE.test(ch)) return `fieldManager: Invalid value: ${JSON.stringify(manager)}: invalid character ${JSON.stringify(ch)} (at position ${i})`;
    i += ch.length;
  }
  return undefined;
}
