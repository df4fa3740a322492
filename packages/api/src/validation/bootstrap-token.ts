// The rules of a bootstrap token Secret (cluster-bootstrap's token/util and the bootstrap
// authenticator's parseSecret), checked on write so a Secret that could never authenticate
// (or that the tokencleaner could not read) is refused with a 422 instead of being ignored.
import type { FieldError } from './field-error.js';
import { invalid, required } from './field-error.js';
import {
  BOOTSTRAP_GROUP_RE,
  BOOTSTRAP_TOKEN_EXPIRATION_KEY,
  BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY,
  BOOTSTRAP_TOKEN_ID_KEY,
  BOOTSTRAP_TOKEN_ID_RE,
  BOOTSTRAP_TOKEN_SECRET_KEY,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_RE,
  BOOTSTRAP_TOKEN_USAGE_PREFIX,
  parseRfc3339,
  secretValue,
} from '../bootstrap/token.js';

const REDACTED = '<secret contents redacted>';

export function validateBootstrapTokenSecret(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj.data && typeof obj.data === 'object' ? obj.data : {};
  const value = (k: string) => (typeof data[k] === 'string' ? secretValue(obj, k) : undefined);
  const id = value(BOOTSTRAP_TOKEN_ID_KEY);
  if (id === undefined) errs.push(required(`data[${BOOTSTRAP_TOKEN_ID_KEY}]`));
  else if (!BOOTSTRAP_TOKEN_ID_RE.test(id)) errs.push(invalid(`data[${BOOTSTRAP_TOKEN_ID_KEY}]`, id, `must match the regex ${BOOTSTRAP_TOKEN_ID_RE.source}`));
  else if (obj.metadata?.name !== BOOTSTRAP_TOKEN_SECRET_PREFIX + id)
    errs.push(invalid('metadata.name', obj.metadata?.name, `must be ${JSON.stringify(BOOTSTRAP_TOKEN_SECRET_PREFIX + id)} for token-id ${JSON.stringify(id)}`));
  const secret = value(BOOTSTRAP_TOKEN_SECRET_KEY);
  if (secret === undefined) errs.push(required(`data[${BOOTSTRAP_TOKEN_SECRET_KEY}]`));
  else if (!BOOTSTRAP_TOKEN_SECRET_RE.test(secret)) errs.push(invalid(`data[${BOOTSTRAP_TOKEN_SECRET_KEY}]`, REDACTED, `must match the regex ${BOOTSTRAP_TOKEN_SECRET_RE.source}`));
  const exp = value(BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  if (exp !== undefined && !parseRfc3339(exp)) errs.push(invalid(`data[${BOOTSTRAP_TOKEN_EXPIRATION_KEY}]`, exp, 'must be a timestamp in RFC3339 format'));
  for (const k of Object.keys(data)) {
    if (!k.startsWith(BOOTSTRAP_TOKEN_USAGE_PREFIX)) continue;
    const v = value(k);
    if (v !== 'true' && v !== 'false') errs.push(invalid(`data[${k}]`, v ?? null, 'must be "true" or "false"'));
  }
  const groups = value(BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY);
  if (groups !== undefined) {
    for (const g of groups.split(',').map((s) => s.trim())) {
      if (!BOOTSTRAP_GROUP_RE.test(g)) errs.push(invalid(`data[${BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY}]`, groups, `bootstrap group ${JSON.stringify(g)} is invalid (must match ${BOOTSTRAP_GROUP_RE.source})`));
    }
  }
  return errs;
}
