// The cluster images as an earlier `up` pushed them, kept once per machine: a home whose
// registry is empty starts from them, so `up` uploads only the layers that changed. Docker
// compresses every layer it pushes, and the node image's one layer alone took 8.4 s of a 9 s
// `up` (2026-12-08). The copy is a cache: blobs are named by their digest, and the push that
// follows still replaces every tag whose image changed.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where the seed lives: $K8TS_CACHE, else the user's cache folder. */
export function registrySeedDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.K8TS_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'k8ts'), 'registry-seed');
}

const empty = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/**
 * Fills an empty storage folder from the seed; true when the storage holds nothing but the
 * cluster's images afterwards (it was empty), so that the push's result may become the seed.
 * A seed that cannot be read, or a copy that fails half-way (another `up` replacing the seed), is
 * undone: the push then uploads everything.
 */
export function seedRegistryStorage(storage: string, seed = registrySeedDir()): boolean {
  if (!empty(storage)) return false;
  try {
    if (!empty(seed)) cpSync(seed, storage, { recursive: true });
  } catch {
    removeQuietly(storage);
    mkdirSync(storage, { recursive: true });
  }
  return true;
}

/** The blob digests a registry's storage holds. */
function blobs(storage: string): Set<string> {
  const root = join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  const out = new Set<string>();
  if (!existsSync(root)) return out;
  for (const prefix of readdirSync(root)) for (const digest of readdirSync(join(root, prefix))) out.add(digest);
  return out;
}

/**
 * Makes `storage` (just pushed, holding the cluster's images only) the seed when it holds a blob
 * the seed lacks. Copied aside first and swapped in by renames, so a reader sees the old seed or
 * the new one; an `up` that loses a race to save it, or cannot write the cache, loses nothing but the save.
 */
export function saveRegistrySeed(storage: string, seed = registrySeedDir()): boolean {
  const next = `${seed}.${process.pid}.new`;
  const old = `${seed}.${process.pid}.old`;
  // Never an error of `up`: a seed not saved costs the next `up` its push, nothing more.
  try {
    const have = blobs(seed);
    if ([...blobs(storage)].every((d) => have.has(d))) return false;
    mkdirSync(dirname(seed), { recursive: true });
    cpSync(storage, next, { recursive: true });
    if (existsSync(seed)) renameSync(seed, old);
    renameSync(next, seed);
    return true;
  } catch {
    return false;
  } finally {
    removeQuietly(next);
    removeQuietly(old);
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // A path below something that is not a folder: there is nothing to remove.
  }
}
