// Upstream's documentation of the Kubernetes types (generated/descriptions.json, made from
// the kubernetes-types package by scripts/extract-descriptions.ts): what OpenAPI serves and
// `kubectl explain` prints. Loaded once, on first use: only the OpenAPI documents need it.
import { readFileSync } from 'node:fs';
import { messageSchema } from './schema.js';
import type { FieldSchema } from './types.js';

export interface MessageDescription {
  description?: string;
  /** Field JSON name → its description. */
  fields?: Readonly<Record<string, string>>;
  /** Fields upstream's OpenAPI marks required (in kubernetes-types' alphabetical order). */
  required?: readonly string[];
  /** For kinds: the descriptions of apiVersion and kind (TypeMeta, inlined in JSON, absent in proto). */
  typeMeta?: { readonly apiVersion: string; readonly kind: string };
  /** Proto fields whose message Go embeds with `json:",inline"`, as kubernetes-types shows them.
   * Not read by the code: the schema's `inline` marker (annotations*.ts) is the one source, and
   * schema/inline.test.ts checks this list agrees with it. */
  inline?: readonly string[];
}

interface DescriptionsFile {
  source: string;
  messages: Record<string, MessageDescription>;
}

let loaded: DescriptionsFile | undefined;

function file(): DescriptionsFile {
  loaded ??= JSON.parse(readFileSync(new URL('./generated/descriptions.json', import.meta.url), 'utf8')) as DescriptionsFile;
  return loaded;
}

/** Upstream's documentation of a proto message (`k8s.io.api.core.v1.Container`), or undefined. */
export function messageDescription(message: string): MessageDescription | undefined {
  return file().messages[message];
}

/** Upstream's description of one field of a proto message, or undefined. */
export function fieldDescription(message: string, field: string): string | undefined {
  return file().messages[message]?.fields?.[field];
}

/** Every described message's name (for tests and tools). */
export function describedMessages(): string[] {
  return Object.keys(file().messages);
}

/** A field as JSON has it: `owner` is the proto message that declares it (an inlined one's own). */
export interface JsonField {
  owner: string;
  field: FieldSchema;
}

const jsonCache = new Map<string, JsonField[]>();

/** The fields of a message as JSON sees them: inlined embedded messages' fields in their place. */
export function jsonFields(message: string): JsonField[] {
  const hit = jsonCache.get(message);
  if (hit) return hit;
  const out: JsonField[] = [];
  for (const f of messageSchema(message)?.fields.values() ?? []) {
    if (f.inline && f.message) out.push(...jsonFields(f.message));
    else out.push({ owner: message, field: f });
  }
  jsonCache.set(message, out);
  return out;
}
