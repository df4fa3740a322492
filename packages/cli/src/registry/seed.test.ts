import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registrySeedDir, saveRegistrySeed, seedRegistryStorage } from './seed.js';

/** A storage folder as Distribution lays it out, with one blob and one repository link per digest. */
function storageWith(dir: string, ...digests: string[]): string {
  for (const d of digests) {
    const blob = join(dir, 'docker/registry/v2/blobs/sha256', d.slice(0, 2), d);
    mkdirSync(blob, { recursive: true });
    writeFileSync(join(blob, 'data'), `bytes of ${d}`);
    const link = join(dir, 'docker/registry/v2/repositories/k8ts/node/_layers/sha256', d);
    mkdirSync(link, { recursive: true });
    writeFileSync(join(link, 'link'), `sha256:${d}`);
  }
  return dir;
}

const blobData = (storage: string, d: string) => readFileSync(join(storage, 'docker/registry/v2/blobs/sha256', d.slice(0, 2), d, 'data'), 'utf8');

test('the seed: saved from a fresh push, copied into the next empty storage, never into one in use', () => {
  const root = mkdtempSync(join(tmpdir(), 'k8ts-seed-'));
  try {
    const seed = join(root, 'cache', 'registry-seed');
    // No seed yet: an empty storage is fresh, and stays empty.
    const first = join(root, 'h1');
    assert.equal(seedRegistryStorage(first, seed), true);
    assert.equal(existsSync(join(first, 'docker')), false);
    storageWith(first, 'aa11', 'bb22');
    assert.equal(saveRegistrySeed(first, seed), true);
    // The same blobs again: nothing to save.
    assert.equal(saveRegistrySeed(first, seed), false);

    const second = join(root, 'h2');
    mkdirSync(second);
    assert.equal(seedRegistryStorage(second, seed), true);
    assert.equal(blobData(second, 'bb22'), 'bytes of bb22');
    assert.equal(readFileSync(join(second, 'docker/registry/v2/repositories/k8ts/node/_layers/sha256/aa11/link'), 'utf8'), 'sha256:aa11');

    // A storage that holds anything is this home's registry: left as it is, and not a seed to save.
    const used = storageWith(join(root, 'h3'), 'cc33');
    assert.equal(seedRegistryStorage(used, seed), false);
    assert.deepEqual(readdirSync(join(used, 'docker/registry/v2/blobs/sha256')), ['cc']);

    // A push that added a blob replaces the seed whole; no temporary folder is left beside it.
    storageWith(second, 'dd44');
    assert.equal(saveRegistrySeed(second, seed), true);
    assert.equal(blobData(seed, 'dd44'), 'bytes of dd44');
    assert.deepEqual(readdirSync(join(root, 'cache')), ['registry-seed']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the seed lives in $K8TS_CACHE, else under the user\'s cache folder', () => {
  assert.equal(registrySeedDir({ K8TS_CACHE: '/var/cache/k8ts' }), '/var/cache/k8ts/registry-seed');
  assert.equal(registrySeedDir({ XDG_CACHE_HOME: '/c' }), '/c/k8ts/registry-seed');
});

test('a seed that cannot be written or read is no error of up', () => {
  const root = mkdtempSync(join(tmpdir(), 'k8ts-seed-'));
  try {
    const storage = storageWith(join(root, 'h'), 'ee55');
    // The cache's folder is a file: nothing can be made below it.
    writeFileSync(join(root, 'cache'), '');
    assert.equal(saveRegistrySeed(storage, join(root, 'cache', 'registry-seed')), false);
    assert.equal(blobData(storage, 'ee55'), 'bytes of ee55');
    // Nor is one that cannot be read (here a file, not a folder): the storage stays empty and the push fills it.
    const fresh = join(root, 'h2');
    assert.equal(seedRegistryStorage(fresh, join(root, 'cache')), true);
    assert.deepEqual(readdirSync(fresh), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
