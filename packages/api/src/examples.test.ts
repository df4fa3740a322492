// The repository's example manifests are what users apply first: after defaulting they
// must validate cleanly, and a later `kubectl apply` of the same file (a strategic merge
// patch) must leave them valid as an update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { findResource } from './resources.js';
import { applyDefaults } from './defaults.js';
import { validate, statusForInvalid } from './validation/index.js';
import { applyPatch } from './patch/index.js';
import type { KubeObject } from './types.js';

const dir = join(fileURLToPath(import.meta.url), '..', '..', '..', '..', 'deploy', 'examples');

function manifests(): { file: string; obj: any }[] {
  const out: { file: string; obj: any }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of YAML.parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const o = doc.toJS();
      if (!o) continue;
      for (const item of o.kind === 'List' ? o.items : [o]) out.push({ file, obj: item });
    }
  }
  return out;
}

test('example manifests default and validate cleanly', () => {
  const all = manifests();
  assert.ok(all.length >= 5, `found ${all.length} manifests`);
  for (const { file, obj } of all) {
    const info = findResource(obj.kind);
    assert.ok(info, `${file}: kind ${obj.kind} is served`);
    obj.metadata ??= {};
    if (info.namespaced) obj.metadata.namespace ??= 'default';
    obj.metadata.uid = 'uid-1';
    const original = structuredClone(obj);
    applyDefaults(info.resource, obj);
    const errs = validate(info.resource, obj);
    assert.deepEqual(errs, [], `${file}: ${statusForInvalid(obj.kind, obj.metadata.name, errs).message}`);
    // Re-applying the manifest (client-side apply sends it as a strategic merge patch).
    const again = applyPatch('application/strategic-merge-patch+json', obj, JSON.stringify(original), info.resource) as KubeObject;
    applyDefaults(info.resource, again);
    assert.deepEqual(validate(info.resource, again, obj), [], `${file}: re-apply`);
  }
});
