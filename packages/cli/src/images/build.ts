// Builds the cluster's images on a machine without a registry. Each image's Dockerfile
// (deploy/images/<name>/Dockerfile) takes its base as the build arg BASE; by default the
// root filesystem is assembled here from the host (static busybox, the node binary and its
// libraries, a pause binary compiled with gcc -static, the etcd binary and its libraries) and
// staged under deploy/images/.build/<name>-XXXXXX/ (one per call, removed after), the Docker build context.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { PAUSE_IMAGE, splitTag } from '@k8ts/agent';

/** Every image this builds; build order (hello's default base is busybox). */
export const IMAGE_NAMES = ['pause', 'busybox', 'node', 'hello', 'etcd'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];
/** What the cluster and its examples run: built by default, and by `k8ts up` when missing. */
export const CLUSTER_IMAGE_NAMES: readonly ImageName[] = ['pause', 'busybox', 'node', 'hello'];

export const IMAGES: Record<ImageName, string> = {
  pause: PAUSE_IMAGE,
  busybox: 'k8ts/busybox:latest',
  node: 'k8ts/node:20',
  hello: 'k8ts/hello:latest',
  // The integration tests' etcd, started through testcontainers (test/support/etcd.ts).
  etcd: 'k8ts/etcd:latest',
};

/** More tags for the same image: the example manifests pin versions (IfNotPresent by default). */
export const EXTRA_TAGS: Record<ImageName, string[]> = {
  pause: ['k8ts/pause:3.9'],
  busybox: ['k8ts/busybox:1.36'],
  node: [],
  hello: ['k8ts/hello:1.0'],
  etcd: [],
};

/** Every tag a node's engine must hold (the pause image under both its names, and so on). */
export function clusterImageTags(): string[] {
  return CLUSTER_IMAGE_NAMES.flatMap((n) => [IMAGES[n], ...EXTRA_TAGS[n]]);
}

/** Default BASE per image: the locally assembled root filesystem (scratch) or a local image. */
const LOCAL_BASE: Record<ImageName, string> = { pause: 'scratch', busybox: 'scratch', node: 'scratch', hello: IMAGES.busybox, etcd: 'scratch' };

export interface BuildImagesOptions {
  /** Default: CLUSTER_IMAGE_NAMES. */
  only?: ImageName[] | string[];
  force?: boolean; // rebuild even when the image exists with the same inputs
  bases?: Partial<Record<ImageName, string>>; // e.g. {busybox: 'busybox:1.36', node: 'node:20-slim'}
  docker?: Docker;
  log?: (line: string) => void;
}

export interface BuildResult {
  image: string;
  built: boolean; // false: present with the same inputs
  ms: number;
}

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const imagesDir = join(repoRoot, 'deploy', 'images');
const stagingRoot = join(imagesDir, '.build');

// Applets the images promise; the full busybox list is linked when it can be read.
const CORE_APPLETS = ['sh', 'ash', 'wget', 'httpd', 'nc', 'sleep', 'cat', 'echo', 'ls', 'hostname', 'ip', 'nslookup', 'ps', 'kill', 'env', 'mkdir', 'rm', 'cp', 'mv', 'tar', 'grep', 'sed', 'timeout', 'true', 'false', 'test', 'touch', 'date', 'id', 'ping', 'head', 'tail', 'wc', 'sort', 'tr', 'find', 'vi', 'top', 'ifconfig', 'netstat', 'printf', 'pwd', 'uname', 'whoami', 'dd', 'chmod', 'ln', 'df', 'du', 'xargs', 'seq', 'yes', 'nohup', 'expr', 'basename', 'dirname', 'stat', 'md5sum', 'sha256sum'];

function busyboxPath(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p)) return p;
  throw new Error('busybox not found on the host: install busybox-static (apt-get install busybox-static)');
}

function assertStatic(path: string): void {
  const out = (() => {
    try {
      return execFileSync('ldd', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
    }
  })();
  if (!/not a dynamic executable|statically linked/.test(out)) throw new Error(`${path} is not static (install busybox-static): ${out.trim()}`);
}

function baseRootfs(dir: string): void {
  for (const d of ['tmp', 'etc', 'bin', 'root', 'var/tmp']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'var/tmp'), 0o1777);
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'etc/nsswitch.conf'), 'hosts: files dns\n');
}

function installBusybox(dir: string): void {
  const src = busyboxPath();
  assertStatic(src);
  copyFileSync(src, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  let applets = CORE_APPLETS;
  try {
    const list = execFileSync(src, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (list.length) applets = [...new Set([...list, ...CORE_APPLETS.filter((a) => list.includes(a))])];
  } catch {
    // an old busybox without --list: the core set
  }
  for (const a of applets) {
    if (a === 'busybox' || a.includes('/')) continue;
    const link = join(dir, 'bin', a);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
}

function nodeBinary(): string {
  for (const p of ['/usr/local/bin/node', process.execPath, '/usr/bin/node']) if (p && existsSync(p)) return p;
  throw new Error('node binary not found');
}

/** The shared libraries `ldd` lists for a binary (resolved paths, plus the loader). */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = line.match(/=>\s+(\/\S+)/) ?? line.match(/^\s*(\/\S+)\s+\(/);
    if (m) libs.push(m[1]);
  }
  return libs;
}

function etcdBinary(): string {
  for (const p of ['/usr/bin/etcd', '/usr/local/bin/etcd']) if (existsSync(p)) return p;
  throw new Error('etcd not found on the host: install etcd-server (apt-get install etcd-server)');
}

/** A copy of `src` at `dest` (its folders made), a symlink followed to the file it names. */
export function copyDeref(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  execFileSync('cp', ['-L', src, dest]);
}

/**
 * A build context of its own for this call (test files that run at once each check and build
 * the images: one shared folder was emptied under another's build). Its name is not hashed.
 */
function stage(name: ImageName, base: string): string {
  mkdirSync(stagingRoot, { recursive: true });
  const dir = mkdtempSync(join(stagingRoot, `${name}-`));
  const src = join(imagesDir, name);
  for (const f of readdirSync(src)) copyFileSync(join(src, f), join(dir, f));
  const local = base === 'scratch';
  if (name === 'pause') {
    execFileSync('gcc', ['-static', '-Os', '-s', '-o', join(dir, 'pause'), join(src, 'pause.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    rmSync(join(dir, 'pause.c'));
  } else if (name === 'etcd') {
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    if (local) {
      // etcd needs only libc and the loader; its data dir goes under /var/lib/etcd, scratch has no /tmp.
      for (const d of ['tmp', 'var/lib/etcd']) mkdirSync(join(rootfs, d), { recursive: true });
      chmodSync(join(rootfs, 'tmp'), 0o1777);
      const bin = etcdBinary();
      copyDeref(bin, join(rootfs, 'usr/local/bin/etcd'));
      for (const lib of sharedLibraries(bin)) copyDeref(lib, join(rootfs, lib));
    } else {
      writeFileSync(join(rootfs, '.k8ts'), '');
    }
  } else if (name === 'busybox' || name === 'node') {
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    if (local) {
      baseRootfs(rootfs);
      installBusybox(rootfs);
      if (name === 'node') {
        const bin = nodeBinary();
        copyDeref(bin, join(rootfs, 'usr/local/bin/node'));
        for (const lib of sharedLibraries(bin)) copyDeref(lib, join(rootfs, lib));
      }
    } else {
      writeFileSync(join(rootfs, '.k8ts'), ''); // COPY of an empty folder needs one file
    }
  }
  return dir;
}

function listFiles(dir: string, out: string[] = [], root = dir): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) listFiles(p, out, root);
    else out.push(relative(root, p));
  }
  return out;
}

/** A digest of the build context: an image whose label matches needs no rebuild. */
function contextHash(dir: string, base: string): string {
  const h = createHash('sha256').update(`BASE=${base}\n`);
  for (const f of listFiles(dir)) {
    h.update(f + '\0');
    const p = join(dir, f);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isFile()) h.update(readFileSync(p));
  }
  return h.digest('hex').slice(0, 16);
}

async function imageLabels(docker: Docker, ref: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return info.Config?.Labels ?? {};
  } catch {
    return undefined;
  }
}

async function dockerBuild(docker: Docker, dir: string, tag: string, base: string, hash: string): Promise<void> {
  const stream = await docker.buildImage(
    { context: dir, src: readdirSync(dir) },
    { t: tag, buildargs: { BASE: base }, labels: { 'io.k8ts.image': '1', 'io.k8ts.image.hash': hash }, rm: true, forcerm: true, pull: false } as Docker.ImageBuildOptions,
  );
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, res: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        if (err) return reject(err);
        const failed = res.find((r) => r.error || r.errorDetail);
        if (failed) return reject(new Error(`building ${tag}: ${failed.error ?? failed.errorDetail?.message}\n${lines.slice(-10).join('')}`));
        resolve();
      },
      (ev: { stream?: string }) => {
        if (ev.stream) lines.push(ev.stream);
      },
    );
  });
}

async function addTags(docker: Docker, image: string, tags: string[]): Promise<void> {
  for (const t of tags) await docker.getImage(image).tag(splitTag(t));
}

/**
 * Builds the images (all, or `only`) unless present with the same inputs. Order matters:
 * hello's default base is k8ts/busybox, so busybox comes first.
 */
export async function buildImages(opts: BuildImagesOptions = {}): Promise<BuildResult[]> {
  const docker = opts.docker ?? new Docker();
  const log = opts.log ?? (() => {});
  const wanted = (opts.only?.length ? opts.only : CLUSTER_IMAGE_NAMES) as ImageName[];
  for (const w of wanted) if (!IMAGE_NAMES.includes(w)) throw new Error(`unknown image ${w} (known: ${IMAGE_NAMES.join(', ')})`);
  const results: BuildResult[] = [];
  for (const name of IMAGE_NAMES) {
    if (!wanted.includes(name)) continue;
    const t0 = Date.now();
    const tag = IMAGES[name];
    const base = opts.bases?.[name] ?? LOCAL_BASE[name];
    if (name === 'hello' && base === IMAGES.busybox && !(await imageLabels(docker, IMAGES.busybox))) {
      results.push(...(await buildImages({ ...opts, only: ['busybox'], force: false, docker })));
    }
    const dir = stage(name, base);
    try {
      const hash = contextHash(dir, base);
      const labels = await imageLabels(docker, tag);
      if (!opts.force && labels?.['io.k8ts.image.hash'] === hash) {
        await addTags(docker, tag, EXTRA_TAGS[name]);
        results.push({ image: tag, built: false, ms: Date.now() - t0 });
        continue;
      }
      log(`building ${tag} (BASE=${base})`);
      await dockerBuild(docker, dir, tag, base, hash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await addTags(docker, tag, EXTRA_TAGS[name]);
    results.push({ image: tag, built: true, ms: Date.now() - t0 });
    log(`built ${tag} in ${Date.now() - t0} ms`);
  }
  return results;
}
