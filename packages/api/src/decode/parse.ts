// Body texts to values, with what the plain parsers hide: duplicate keys (their paths) and
// nesting beyond MAX_DEPTH, which is refused before anything recursive reads the value.
import YAML, { Lexer, Parser, isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { countJsonKeys, countValueKeys, MAX_DEPTH, scanJson } from './json-scan.js';

export interface ParsedBody {
  value: unknown;
  /** Paths of keys an object held twice; the value keeps the last, as Go's decoder does. */
  duplicates: string[];
}

/** Parses JSON; throws SyntaxError with Go's words for nesting deeper than MAX_DEPTH. */
export function parseJsonText(text: string): ParsedBody {
  const count = countJsonKeys(text);
  if (count.tooDeep) throw new SyntaxError(`invalid character '${count.tooDeep}' exceeded max depth`);
  const value: unknown = JSON.parse(text);
  // As many keys parsed as written: none was held twice (see countJsonKeys).
  if (countValueKeys(value) === count.keys) return { value, duplicates: [] };
  return { value, duplicates: scanJson(text).duplicates };
}

/**
 * Refuses YAML nested far deeper than MAX_DEPTH before the yaml library composes it. Its
 * composer recurses once per level and ran the stack out on deep input: mostly a RangeError,
 * but when the stack ran out inside V8's regexp compiler (a regexp compiled or tiered up at
 * the bottom of the recursion) the process aborted ("RegExpCompiler Allocation failed - process
 * out of memory": the apiserver, under the soak's fuzzed apply bodies). The lexer and the CST
 * parser are iterative, and the parser's stack is the nesting (one entry per collection, the
 * document's and a pair's or two more); the exact MAX_DEPTH check follows on the composed nodes.
 */
export function checkYamlDepth(text: string): void {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    for (const _token of parser.next(lexeme)); // parseDocument composes them; only the depth counts here
    if (parser.stack.length > 2 * MAX_DEPTH) throw new SyntaxError('exceeded max depth');
  }
}

/** Parses one YAML document (1.2, no merge keys) as JSON would read it. */
export function parseYamlText(text: string): ParsedBody {
  checkYamlDepth(text);
  const doc = YAML.parseDocument(text, { version: '1.2', merge: false, uniqueKeys: false });
  if (doc.errors.length) throw doc.errors[0];
  const duplicates: string[] = [];
  yamlDuplicates(doc.contents, '', 1, duplicates);
  return { value: doc.toJS({ maxAliasCount: 100 }), duplicates };
}

function yamlKey(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function yamlDuplicates(node: Node | null | undefined | unknown, path: string, depth: number, out: string[]): void {
  if (isAlias(node) || !(isMap(node) || isSeq(node))) return;
  if (depth > MAX_DEPTH) throw new SyntaxError(`exceeded max depth at ${path || '<root>'}`);
  if (isSeq(node)) {
    node.items.forEach((item, i) => yamlDuplicates(item, `${path}[${i}]`, depth + 1, out));
    return;
  }
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = yamlKey(pair.key);
    const at = path ? `${path}.${key}` : key;
    if (seen.has(key)) out.push(at);
    seen.add(key);
    yamlDuplicates(pair.value, at, depth + 1, out);
  }
}
