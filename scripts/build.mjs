#!/usr/bin/env node
// `pnpm build`: the JavaScript every k8ts component runs from. Each package's TypeScript
// (packages/<pkg>/src/**/*.ts, tests left out) is transpiled one file to one file into
// packages/<pkg>/dist/ at the same depth, so paths taken from import.meta.url (the repository
// root, proto/k8ts.proto, generated/*.json) resolve alike from src and dist; the other files
// under src that the code reads beside itself (the schema's generated/*.json) are copied.
// No type checking (`pnpm typecheck` does that): esbuild strips the types, as tsx does at run
// time, once instead of in every process.
//
// A package whose package.json says `"k8ts": { "bundle": "src/main.ts" }` (the components but the
// apiserver and the CLI) gets its dist/main.js as one bundle of that entry with every module it
// reaches, workspace packages and node_modules alike, tree-shaken (bundleComponent): a process
// that loads one file instead of ≈ 470 modules holds ≈ 7 MiB less (module records, each
// module's source, the barrels' unused exports), and the components are small and many. Its
// stamp covers the workspace packages it bundles, so a change to @k8ts/api rebuilds them.
//
// Each package's dist/.stamp holds a hash of its inputs and of this script; a package whose
// hash differs is stale and rebuilt. `k8ts up`, `k8ts down` and the benchmarks call
// ensureBuilt() before they start a compiled process, so an edited source never runs stale.
// Packages resolve each other's compiled files through the `k8ts-dist` export condition
// (DIST_NODE_FLAGS); without it, tests, tsx and tsc keep resolving the TypeScript sources.
//   node scripts/build.mjs           build the stale packages (pnpm build)
//   node scripts/build.mjs --force   build every package
//   node scripts/build.mjs --check   exit 1 naming the stale packages, build nothing
//   node scripts/build.mjs --quiet   say nothing when nothing was stale
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = join(fileURLToPath(import.meta.url), '..', '..');
/** The export condition under which packages/*\/package.json point at dist instead of src. */
export const DIST_CONDITION = 'k8ts-dist';
/** Node flags a compiled component starts with (besides its own, e.g. the apiserver's). */
export const DIST_NODE_FLAGS = [`--conditions=${DIST_CONDITION}`];
const STAMP = '.stamp';
const OPTIONS = { bundle: false, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', sourcesContent: false };

/** Where the build puts a file of packages/<pkg>/src: the same path under dist, .ts → .js. */
export function distPath(srcFile) {
  const parts = srcFile.split(sep);
  const i = parts.lastIndexOf('src');
  if (i < 1 || parts[i - 2] !== 'packages') throw new Error(`${srcFile} is not under packages/<pkg>/src`);
  parts[i] = 'dist';
  const out = parts.join(sep);
  return out.endsWith('.ts') && !out.endsWith('.d.ts') ? `${out.slice(0, -3)}.js` : out;
}

const isTest = (f) => f.endsWith('.test.ts');
const isSource = (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !isTest(f);

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    // testdata/ holds fixtures only the tests read.
    if (e.isDirectory()) {
      if (e.name !== 'testdata' && e.name !== 'node_modules') walk(p, out);
    } else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The packages under root/packages that have a src folder. */
export function packageDirs(root = repoRoot) {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => existsSync(join(p, 'src')))
    .sort();
}

/** A package's inputs: TypeScript to transpile and other files to copy. */
export function packageInputs(pkgDir) {
  const files = walk(join(pkgDir, 'src')).sort();
  return { sources: files.filter(isSource), assets: files.filter((f) => !f.endsWith('.ts')) };
}

let selfHash;
function inputsHash(pkgDir) {
  selfHash ??= createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).update(esbuildVersion()).digest('hex');
  const h = createHash('sha256').update(selfHash);
  // A bundle holds the workspace packages it imports: their sources are its inputs too.
  for (const dir of [pkgDir, ...(bundleEntry(pkgDir) ? workspaceDeps(pkgDir) : [])]) {
    const { sources, assets } = packageInputs(dir);
    for (const f of [...sources, ...assets]) h.update(`\0${relative(pkgDir, f)}\0`).update(readFileSync(f));
  }
  return h.digest('hex');
}

const readManifest = (pkgDir) => JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

/** The entry (relative to the package) bundled into dist/main.js, if the package is bundled. */
export function bundleEntry(pkgDir) {
  return readManifest(pkgDir).k8ts?.bundle;
}

/** The workspace packages (their folders) a package depends on, directly or not. */
function workspaceDeps(pkgDir, seen = new Set()) {
  const root = dirname(dirname(pkgDir));
  const byName = new Map(packageDirs(root).map((d) => [readManifest(d).name, d]));
  for (const [name, spec] of Object.entries(readManifest(pkgDir).dependencies ?? {})) {
    const dir = byName.get(name);
    if (!String(spec).startsWith('workspace:') || !dir || seen.has(dir)) continue;
    seen.add(dir);
    workspaceDeps(dir, seen);
  }
  return [...seen].sort();
}

function esbuildVersion() {
  try {
    return createRequire(import.meta.url)('esbuild/package.json').version;
  } catch {
    return 'none';
  }
}

const readStamp = (pkgDir) => {
  try {
    return readFileSync(join(pkgDir, 'dist', STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Packages whose dist is missing or was built from other inputs, each with its inputs' hash. */
export function stalePackages(root = repoRoot) {
  return packageDirs(root)
    .map((dir) => ({ dir, hash: inputsHash(dir) }))
    .filter((p) => readStamp(p.dir) !== p.hash);
}

/** Writes a file whole or not at all, so a process loading modules meanwhile never reads half of one. */
function writeAtomic(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

async function buildPackage(esbuild, pkg) {
  const { sources, assets } = packageInputs(pkg.dir);
  const result = await esbuild.build({
    ...OPTIONS,
    entryPoints: sources.map((f) => ({ in: f, out: relative(join(pkg.dir, 'src'), f).slice(0, -3) })),
    outdir: join(pkg.dir, 'dist'),
    write: false,
    logLevel: 'silent',
  });
  const written = new Set([join(pkg.dir, 'dist', STAMP)]);
  for (const f of result.outputFiles) {
    writeAtomic(f.path, f.contents);
    written.add(f.path);
  }
  for (const a of assets) {
    writeAtomic(distPath(a), readFileSync(a));
    written.add(distPath(a));
  }
  const entry = bundleEntry(pkg.dir);
  if (entry) for (const f of await bundleComponent(esbuild, pkg.dir, entry)) written.add(f);
  // Output of sources since removed or renamed must not be found by an import.
  for (const f of walk(join(pkg.dir, 'dist'))) if (!written.has(f)) rmSync(f, { force: true });
  removeEmptyDirs(join(pkg.dir, 'dist'));
  writeAtomic(join(pkg.dir, 'dist', STAMP), `${pkg.hash}\n`);
  return sources.length + assets.length;
}

/**
 * The component's entry and all it imports as one ESM file, dist/main.js (+ its map). Code that
 * finds files beside itself keeps finding them: each module's `import.meta.url` becomes the URL
 * its own file has when built one to one (packages/<pkg>/dist/…, relative to the bundle, so the
 * tree may move), and a CommonJS module's __dirname and __filename its own. `require` is there
 * for the CommonJS modules' requires of node's built-in modules.
 */
async function bundleComponent(esbuild, pkgDir, entry) {
  const out = join(pkgDir, 'dist', 'main.js');
  const relUrl = (file) => JSON.stringify(relative(dirname(out), file).split(sep).join('/'));
  const located = {
    name: 'k8ts-located',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        const inWorkspace = args.path.includes(`${sep}packages${sep}`) && !args.path.includes(`${sep}node_modules${sep}`);
        const loader = args.path.endsWith('.ts') ? 'ts' : 'js';
        if (inWorkspace && text.includes('import.meta.url')) {
          text = text.replaceAll('import.meta.url', `new URL(${relUrl(distPath(args.path))}, import.meta.url).href`);
        } else if (!inWorkspace && /\b__(dirname|filename)\b/.test(text)) {
          // import.meta would make esbuild take the module for ESM: the banner's constant instead.
          const file = `__k8tsFileURLToPath(new URL(${relUrl(args.path)}, __k8tsBundleUrl))`;
          text = text.replace(/\b__filename\b/g, file).replace(/\b__dirname\b/g, `__k8tsDirname(${file})`);
        }
        // docker-modem loads ssh2 (and its crypto) at start for ssh:// Docker hosts; the agent
        // talks to a local socket. Required when first used, from docker-modem's own folder.
        if (args.path.endsWith(`docker-modem${sep}lib${sep}modem.js`)) {
          text = text.replace("ssh = require('./ssh'),", `ssh = (opt) => __k8tsRequire(new URL(${relUrl(join(dirname(args.path), 'ssh.js'))}, __k8tsBundleUrl))(opt),`);
        }
        return { contents: text, loader, resolveDir: dirname(args.path) };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [join(pkgDir, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    outfile: out,
    write: false,
    logLevel: 'silent',
    // Names stay (stack traces and logs read as the sources do); whitespace and syntax shrink.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    plugins: [located],
    banner: {
      js: [
        "import { createRequire as __k8tsCreateRequire } from 'node:module';",
        "import { dirname as __k8tsDirname } from 'node:path';",
        "import { fileURLToPath as __k8tsFileURLToPath } from 'node:url';",
        'const __k8tsBundleUrl = import.meta.url;',
        'const require = __k8tsCreateRequire(import.meta.url);',
        'const __k8tsRequire = (url) => __k8tsCreateRequire(url)(__k8tsFileURLToPath(url));',
      ].join('\n'),
    },
  });
  for (const f of result.outputFiles) writeAtomic(f.path, f.contents);
  return result.outputFiles.map((f) => f.path);
}

function removeEmptyDirs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    removeEmptyDirs(p);
    if (readdirSync(p).length === 0) rmdirSync(p);
  }
}

/** Builds the stale packages (every one with force); returns the names of those built. */
export async function build({ root = repoRoot, force = false, log = console.error } = {}) {
  return withLock(root, async () => {
    // Inside the lock: another process may have built while this one waited.
    const stale = force ? packageDirs(root).map((dir) => ({ dir, hash: inputsHash(dir) })) : stalePackages(root);
    if (stale.length === 0) return [];
    const esbuild = await import('esbuild');
    const t0 = performance.now();
    let files = 0;
    for (const pkg of stale) files += await buildPackage(esbuild, pkg);
    const names = stale.map((p) => relative(join(root, 'packages'), p.dir));
    log(`k8ts build: ${names.join(', ')} (${files} files) in ${Math.round(performance.now() - t0)} ms`);
    return names;
  });
}

/** What a process that launches compiled components calls first: builds only when something is stale. */
export async function ensureBuilt(opts = {}) {
  if (stalePackages(opts.root).length === 0) return [];
  return build(opts);
}

/**
 * One build at a time per tree (k8ts up in parallel test suites, a developer's pnpm build): a
 * lock directory with the holder's pid; one whose holder is gone is taken over.
 */
async function withLock(root, f) {
  const dir = join(root, 'node_modules', '.k8ts-build.lock');
  mkdirSync(dirname(dir), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), `${process.pid}\n`);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (!lockHolderAlive(dir) || Date.now() > deadline) rmSync(dir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await f();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lockHolderAlive(dir) {
  let pid;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // Just made, pid not yet written: alive unless it has been so for long.
    try {
      return Date.now() - statSync(dir).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const stale = stalePackages();
    for (const p of stale) console.error(`stale: ${relative(repoRoot, p.dir)}`);
    process.exit(stale.length ? 1 : 0);
  }
  const built = await build({ force: args.includes('--force') });
  if (built.length === 0 && !args.includes('--quiet')) console.error('k8ts build: every package is up to date');
}
