// `json:",inline"` is stated once, as the schema's `inline` marker (annotations*.ts). The
// decoder, strategic merge and the protobuf codec read MessageSchema (fields[].inline,
// jsonFields), OpenAPI reads jsonFields(); kubernetes-types' own list (descriptions.json) is
// data made by a script. These tests fail when any of them disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATIONS } from './annotations.js';
import { describedMessages, jsonFields, messageDescription } from './descriptions.js';
import { messageSchema } from './schema.js';

const markers = (): string[] =>
  Object.entries(ANNOTATIONS)
    .filter(([, a]) => a.inline)
    .map(([k]) => k)
    .sort();

test('every inline marker names a message field of the schema', () => {
  assert.ok(markers().length >= 14);
  for (const key of markers()) {
    const i = key.lastIndexOf('.');
    const f = messageSchema(key.slice(0, i))?.fields.get(key.slice(i + 1));
    assert.equal(f?.kind, 'message', key);
    assert.equal(f?.inline, true, key);
  }
});

test('kubernetes-types inlines exactly the fields the schema marks', () => {
  const upstream: string[] = [];
  for (const m of describedMessages()) for (const f of messageDescription(m)?.inline ?? []) upstream.push(`${m}.${f}`);
  assert.deepEqual(upstream.sort(), markers());
});

test('OpenAPI and the decoder see the same JSON fields of every message', () => {
  for (const m of describedMessages()) {
    const schema = messageSchema(m);
    if (!schema) continue;
    const openapi = jsonFields(m).map((f) => f.field.name);
    assert.deepEqual(openapi, [...schema.jsonFields.keys()], m);
    for (const { owner, field } of jsonFields(m)) assert.equal(schema.jsonFields.get(field.name), messageSchema(owner)!.fields.get(field.name), `${m}.${field.name}`);
  }
});
