// scripts/build.mjs (`pnpm build`): where its output lands, that it runs without tsx, and that
// a changed source is always rebuilt before a component starts from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build, distPath, DIST_NODE_FLAGS, ensureBuilt, packageDirs, packageInputs, stalePackages } from '../../../scripts/build.mjs';
import { componentMain, componentNodeArgs, repoRoot } from './processes.js';

const quiet = () => undefined;

/** Two packages as the repository lays them out: `a` imports `@fx/b` and reads a JSON file beside its code. */
function fixture(dir: string): void {
  const put = (f: string, text: string) => {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  };
  put('packages/a/package.json', JSON.stringify({ name: '@fx/a', type: 'module' }));
  put('packages/a/src/main.ts', "import { b } from '@fx/b';\nimport { data } from './sub/read.js';\nconst n: number = data().n;\nconsole.log(`${b} ${n}`);\n");
  put('packages/a/src/sub/read.ts', "import { readFileSync } from 'node:fs';\nexport const data = (): { n: number } => JSON.parse(readFileSync(new URL('./generated/data.json', import.meta.url), 'utf8'));\n");
  put('packages/a/src/sub/generated/data.json', '{"n": 7}');
  put('packages/a/src/sub/gone.ts', 'export const gone = 1;\n');
  put('packages/a/src/main.test.ts', "throw new Error('tests are not built');\n");
  put('packages/a/src/testdata/fixture.bin', 'test only');
  put('packages/b/package.json', JSON.stringify({ name: '@fx/b', type: 'module', exports: { '.': { 'k8ts-dist': './dist/index.js', default: './src/index.ts' } } }));
  put('packages/b/src/index.ts', "export const b: string = 'b1';\n");
  mkdirSync(join(dir, 'node_modules', '@fx'), { recursive: true });
  symlinkSync(join(dir, 'packages', 'b'), join(dir, 'node_modules', '@fx', 'b'));
}

function withTree(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-build-'));
    try {
      fixture(dir);
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Runs a compiled entry as k8ts starts a component: plain node with the dist condition, no tsx. */
const runCompiled = (dir: string, entry: string) => execFileSync(process.execPath, [...DIST_NODE_FLAGS, join(dir, entry)], { cwd: dir, encoding: 'utf8' }).trim();

describe('pnpm build', () => {
  it(
    'puts each source and asset at the same path under dist; tests and testdata stay out; the output runs without tsx',
    withTree(async (dir) => {
      assert.deepEqual(await build({ root: dir, log: quiet }), ['a', 'b']);
      const a = join(dir, 'packages', 'a');
      for (const f of ['dist/main.js', 'dist/main.js.map', 'dist/sub/read.js', 'dist/sub/generated/data.json', 'dist/sub/gone.js', 'dist/.stamp']) assert.ok(existsSync(join(a, f)), f);
      assert.ok(!existsSync(join(a, 'dist', 'main.test.js')));
      assert.ok(!existsSync(join(a, 'dist', 'testdata')));
      assert.equal(distPath(join(a, 'src', 'sub', 'read.ts')), join(a, 'dist', 'sub', 'read.js'));
      assert.equal(distPath(join(a, 'src', 'sub', 'generated', 'data.json')), join(a, 'dist', 'sub', 'generated', 'data.json'));
      assert.equal(runCompiled(dir, 'packages/a/dist/main.js'), 'b1 7');
    }),
  );

  it(
    'rebuilds exactly the packages whose sources changed, and drops the output of a removed source',
    withTree(async (dir) => {
      await build({ root: dir, log: quiet });
      assert.deepEqual(stalePackages(dir), []);
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), [], 'nothing to do when fresh');

      // A new mtime alone is no change.
      const index = join(dir, 'packages', 'b', 'src', 'index.ts');
      utimesSync(index, new Date(), new Date(Date.now() + 5000));
      assert.deepEqual(stalePackages(dir), []);

      writeFileSync(index, "export const b: string = 'b2';\n");
      assert.deepEqual(stalePackages(dir).map((p) => relative(join(dir, 'packages'), p.dir)), ['b']);
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), ['b']);
      assert.equal(runCompiled(dir, 'packages/a/dist/main.js'), 'b2 7');

      // An asset counts as a source.
      writeFileSync(join(dir, 'packages', 'a', 'src', 'sub', 'generated', 'data.json'), '{"n": 8}');
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), ['a']);
      assert.equal(runCompiled(dir, 'packages/a/dist/main.js'), 'b2 8');

      rmSync(join(dir, 'packages', 'a', 'src', 'sub', 'gone.ts'));
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), ['a']);
      assert.ok(!existsSync(join(dir, 'packages', 'a', 'dist', 'sub', 'gone.js')));
      assert.ok(!existsSync(join(dir, 'packages', 'a', 'dist', 'sub', 'gone.js.map')));

      rmSync(join(dir, 'packages', 'b', 'dist'), { recursive: true });
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), ['b'], 'a missing dist is stale');
    }),
  );

  it(
    'bundles a component that asks for it into one dist/main.js that finds its files, and rebuilds it when a package it bundles changes',
    withTree(async (dir) => {
      const put = (f: string, text: string) => {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), text);
      };
      put('packages/c/package.json', JSON.stringify({ name: '@fx/c', type: 'module', dependencies: { '@fx/b': 'workspace:*', 'fx-cjs': '1.0.0' }, k8ts: { bundle: 'src/main.ts' } }));
      put('packages/c/src/main.ts', "import { b } from '@fx/b';\nimport where from 'fx-cjs';\nimport { data } from './sub/read.js';\nconsole.log(`${b} ${data().n} ${where}`);\n");
      put('packages/c/src/sub/read.ts', "import { readFileSync } from 'node:fs';\nexport const data = (): { n: number } => JSON.parse(readFileSync(new URL('./generated/data.json', import.meta.url), 'utf8'));\n");
      put('packages/c/src/sub/generated/data.json', '{"n": 9}');
      // A CommonJS dependency that finds a file beside itself.
      put('node_modules/fx-cjs/package.json', JSON.stringify({ name: 'fx-cjs', main: 'index.js' }));
      put('node_modules/fx-cjs/index.js', "module.exports = require('fs').readFileSync(require('path').join(__dirname, 'where.txt'), 'utf8');\n");
      put('node_modules/fx-cjs/where.txt', 'beside-fx-cjs');

      assert.deepEqual(await build({ root: dir, log: quiet }), ['a', 'b', 'c']);
      const main = readFileSync(join(dir, 'packages', 'c', 'dist', 'main.js'), 'utf8');
      assert.doesNotMatch(main, /@fx\/b|fx-cjs['"]\)|\.\/sub\/read/, 'one file: nothing left to import');
      assert.ok(existsSync(join(dir, 'packages', 'c', 'dist', 'sub', 'generated', 'data.json')));
      assert.equal(runCompiled(dir, 'packages/c/dist/main.js'), 'b1 9 beside-fx-cjs');

      writeFileSync(join(dir, 'packages', 'b', 'src', 'index.ts'), "export const b: string = 'b2';\n");
      assert.deepEqual(stalePackages(dir).map((p) => relative(join(dir, 'packages'), p.dir)), ['b', 'c'], 'c bundles b');
      assert.deepEqual(await ensureBuilt({ root: dir, log: quiet }), ['b', 'c']);
      assert.equal(runCompiled(dir, 'packages/c/dist/main.js'), 'b2 9 beside-fx-cjs');
    }),
  );

  it('builds one at a time: builds started together leave one complete output', withTree(async (dir) => {
    const results = await Promise.all([build({ root: dir, log: quiet }), ensureBuilt({ root: dir, log: quiet })]);
    assert.deepEqual(results.flat().sort(), ['a', 'b'], 'the second found the first one\'s output fresh');
    assert.equal(runCompiled(dir, 'packages/a/dist/main.js'), 'b1 7');
    assert.ok(!existsSync(join(dir, 'node_modules', '.k8ts-build.lock')), 'the lock is released');
  }));
});

describe('the repository under pnpm build', () => {
  it('starts each component from the dist file its main.ts compiles to, with the dist condition', () => {
    for (const pkg of ['apiserver', 'scheduler', 'controller-manager', 'agent', 'proxy', 'dns', 'ingress', 'cli']) {
      assert.equal(componentMain(pkg, false), distPath(componentMain(pkg, true)));
      assert.deepEqual(componentNodeArgs(pkg, false), [...DIST_NODE_FLAGS, componentMain(pkg, false)]);
      assert.deepEqual(componentNodeArgs(pkg, true), ['--import', 'tsx', componentMain(pkg, true)]);
    }
  });

  it('every package export has a k8ts-dist twin: the compiled file of its TypeScript', () => {
    for (const dir of packageDirs(repoRoot)) {
      const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
      for (const [sub, target] of Object.entries(exports)) {
        assert.equal(join(dir, target['k8ts-dist']!), distPath(join(dir, target.default!)), `${dir} ${sub}`);
      }
    }
  });

  it('files the code finds from import.meta.url are found from dist as from src', () => {
    const literal = /new URL\(\s*'([^']+)'\s*,\s*import\.meta\.url\s*\)/g;
    let seen = 0;
    for (const dir of packageDirs(repoRoot)) {
      const { sources, assets } = packageInputs(dir);
      const src = join(dir, 'src');
      for (const file of sources) {
        for (const [, rel] of readFileSync(file, 'utf8').matchAll(literal)) {
          seen++;
          const fromSrc = resolve(dirname(file), rel!);
          const fromDist = resolve(dirname(distPath(file)), rel!);
          if (fromSrc.startsWith(src + '/')) {
            // A file beside the code: the build must carry it over to where dist looks.
            assert.ok(assets.includes(fromSrc) || sources.includes(fromSrc.replace(/\.js$/, '.ts')), `${file}: ${rel} is built`);
            assert.equal(fromDist, distPath(fromSrc), `${file}: ${rel}`);
          } else assert.equal(fromDist, fromSrc, `${file}: ${rel} lies outside the package's src, the same from dist`);
        }
      }
    }
    assert.ok(seen >= 4, 'the schema files, the proto file and the repository root are found this way');
  });

  it('builds no test file and no testdata', () => {
    for (const dir of packageDirs(repoRoot)) {
      const { sources, assets } = packageInputs(dir);
      assert.ok(![...sources, ...assets].some((f) => f.endsWith('.test.ts') || f.includes('/testdata/')), dir);
    }
    assert.ok(readdirSync(join(repoRoot, 'packages')).length >= 9);
  });
});
