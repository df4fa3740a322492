// The repository's shape rules (PREAMBLE, issue 15): no source file under packages/*/src over
// 400 lines and no function over 80 lines, unless a `// long: <why>` comment says why (at the
// top of the file, or on the lines just above the function). Tests and generated code are
// exempt. Function lengths come from the TypeScript compiler's syntax tree, so a function
// written as an arrow, a method or an object member counts alike.
//   node --import tsx packages/api/src/code-shape.test.ts --list   prints every offender
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
const LONG = /\/\/\s*long:\s*\S/;

const packagesDir = join(fileURLToPath(import.meta.url), '..', '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.test(-helper)?\.ts$/.test(name)) out.push(p);
  }
  return out;
}

function packageSources(): string[] {
  return readdirSync(packagesDir)
    .map((pkg) => join(packagesDir, pkg, 'src'))
    .filter((src) => statSync(src, { throwIfNoEntry: false })?.isDirectory())
    .flatMap((src) => sources(src));
}

/** The file's opening comment block says why it is long. */
function fileExplained(lines: string[]): boolean {
  for (const line of lines) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('//') && !t.startsWith('/*') && !t.startsWith('*')) return false;
    if (LONG.test(t)) return true;
  }
  return false;
}

/** A `// long:` comment on the function's first line or in the comment lines right above it. */
function functionExplained(lines: string[], startLine: number): boolean {
  if (LONG.test(lines[startLine]!)) return true;
  for (let i = startLine - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (!t.startsWith('//') && !t.startsWith('/*') && !t.startsWith('*') && !t.startsWith('@')) return false;
    if (LONG.test(t)) return true;
  }
  return false;
}

export interface Offence {
  file: string;
  line: number;
  what: string;
  lines: number;
}

const functionKinds = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText();
  const p = node.parent;
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText();
  return ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
}

export function offences(file: string): Offence[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const rel = relative(packagesDir, file);
  const out: Offence[] = [];
  const fileLines = text.endsWith('\n') ? lines.length - 1 : lines.length;
  if (fileLines > MAX_FILE_LINES && !fileExplained(lines)) out.push({ file: rel, line: 1, what: 'file', lines: fileLines });
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (functionKinds.has(node.kind) && (node as ts.FunctionLikeDeclaration).body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const n = end - start + 1;
      if (n > MAX_FUNCTION_LINES && !functionExplained(lines, start)) out.push({ file: rel, line: start + 1, what: `function ${functionName(node)}`, lines: n });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

if (process.argv.includes('--list')) {
  for (const f of packageSources()) for (const o of offences(f)) console.log(`${o.file}:${o.line} ${o.what} ${o.lines} lines`);
} else {
  test(`no source file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES} lines without a "// long:" reason`, () => {
    const files = packageSources();
    assert.ok(files.length > 100, `found only ${files.length} source files under ${packagesDir}`);
    const found = files.flatMap((f) => offences(f)).map((o) => `${o.file}:${o.line} ${o.what} is ${o.lines} lines`);
    assert.deepEqual(found, []);
  });

  test('the checker finds a long function and honours a reason', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const src = `export function big(): void {\n${body}\n}\n`;
    const sf = ts.createSourceFile('x.ts', src, ts.ScriptTarget.Latest, true);
    const fn = sf.statements[0]!;
    const lines = src.split('\n');
    const start = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line;
    assert.ok(sf.getLineAndCharacterOfPosition(fn.getEnd()).line - start + 1 > MAX_FUNCTION_LINES);
    assert.equal(functionExplained(lines, start), false);
    assert.equal(functionExplained(['// long: one table of cases', ...lines], start + 1), true);
  });
}
