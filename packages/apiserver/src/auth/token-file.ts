// kube-apiserver's --token-auth-file: CSV lines `token,user,uid,"group1,group2"`.
import { readFileSync } from 'node:fs';
import type { RequestUser } from '../registry/types.js';

export interface TokenUser extends RequestUser {
  uid: string;
}

export type TokenTable = Map<string, TokenUser>;

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export function parseTokenCsv(text: string): TokenTable {
  const table: TokenTable = new Map();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [token, name, uid, groups] = splitCsvLine(line);
    if (!token || !name) throw new Error(`token file: a line needs at least token and user: ${line.slice(0, 20)}…`);
    table.set(token, { name, uid: uid ?? '', groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
  }
  return table;
}

export function loadTokenFile(path: string): TokenTable {
  return parseTokenCsv(readFileSync(path, 'utf8'));
}
