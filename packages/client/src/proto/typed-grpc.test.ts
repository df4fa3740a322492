// The gRPC paths stay typed: the generated types match proto/k8ts.proto, no handler or client
// stub falls back to `any`, and tsc rejects implicit ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const generated = join(root, 'packages/client/src/proto/generated');

/** Every source file (tests aside) that handles or sends gRPC messages. */
const GRPC_PATHS = [
  'packages/apiserver/src/grpc',
  'packages/client/src/grpc-client.ts',
  'packages/client/src/grpc-calls.ts',
  'packages/client/src/nodes-client.ts',
  'packages/client/src/exchange-stream.ts',
  'packages/client/src/proto/load.ts',
  'packages/client/src/proto/index.ts',
];

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

function grpcSources(): string[] {
  return GRPC_PATHS.flatMap((p) => {
    const abs = join(root, p);
    return statSync(abs).isDirectory() ? filesUnder(abs) : [abs];
  }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
}

/** `any` written as a type (annotations, casts, type arguments); the word in comments and strings does not count. */
function anyTypesIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      const { line } = src.getLineAndCharacterOfPosition(node.getStart(src));
      found.push(`${relative(root, file)}:${line + 1}: ${text.split('\n')[line]!.trim()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

test('proto/generated matches what `pnpm gen:proto` makes from proto/k8ts.proto', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-proto-'));
  try {
    const out = join(tmp, 'generated');
    execFileSync(process.execPath, [join(root, 'scripts/gen-proto.mjs'), '--out', out], { cwd: root, stdio: 'pipe' });
    const fresh = filesUnder(out).map((f) => relative(out, f));
    const checkedIn = filesUnder(generated).map((f) => relative(generated, f));
    assert.deepEqual(checkedIn, fresh, 'files differ: run `pnpm gen:proto`');
    for (const f of fresh) assert.equal(readFileSync(join(generated, f), 'utf8'), readFileSync(join(out, f), 'utf8'), `${f} is stale: run \`pnpm gen:proto\``);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('no gRPC handler or client path uses `any`', () => {
  const files = grpcSources();
  assert.ok(files.length >= 12, `expected the gRPC sources, found ${files.length}`);
  assert.deepEqual(files.flatMap(anyTypesIn), []);
});

test('the check finds `any` where it is written', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-any-'));
  try {
    const f = join(tmp, 'x.ts');
    writeFileSync(f, '// any in a comment\nconst a = "any";\nfunction h(req: any) { return (req as any).x as Array<any>; }\n');
    assert.equal(anyTypesIn(f).length, 3);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('tsc runs with noImplicitAny over the gRPC paths', () => {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  assert.equal(read.error, undefined);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const o = parsed.options;
  assert.notEqual(o.noImplicitAny, false, 'noImplicitAny is switched off');
  assert.ok(o.noImplicitAny === true || o.strict === true, 'neither noImplicitAny nor strict is on');
  const included = new Set(parsed.fileNames.map((f) => join(f)));
  for (const f of grpcSources()) assert.ok(included.has(f), `${relative(root, f)} is not type-checked by \`pnpm typecheck\``);
});
