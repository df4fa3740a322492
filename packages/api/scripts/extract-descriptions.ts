// Regenerates src/schema/generated/descriptions.json: upstream's documentation of every
// Kubernetes type and field (what OpenAPI and `kubectl explain` show), and which fields
// upstream's OpenAPI marks required. The kubernetes-types package carries both, generated
// from upstream's OpenAPI: the JSDoc of each interface and property, and `?` on the fields
// that are not required. Only messages and fields the proto descriptors have are kept.
//   node --import tsx packages/api/scripts/extract-descriptions.ts
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { messageSchema } from '../src/schema/schema.js';

export interface MessageDescription {
  description?: string;
  fields?: Record<string, string>;
  required?: string[];
  /** For the kinds (objects, lists, options): upstream's descriptions of the inlined TypeMeta's
   * apiVersion and kind, which JSON has and the proto message has not. */
  typeMeta?: { apiVersion: string; kind: string };
  /** Proto fields whose message Go embeds with `json:",inline"` (Probe.handler, Volume.volumeSource):
   * in JSON their fields are the outer object's own. */
  inline?: string[];
}

export interface DescriptionsFile {
  source: string;
  messages: Record<string, MessageDescription>;
}

export const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'schema', 'generated', 'descriptions.json');

// kubernetes-types writes IntOrString fields as `number | string` and has no type for it:
// upstream's description of intstr.IntOrString, as its OpenAPI states it.
const EXTRA: Record<string, MessageDescription> = {
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  },
};

/** The proto package of a kubernetes-types file: `core/v1.d.ts` → `k8s.io.api.core.v1`. */
export function protoPackageOfFile(rel: string): string {
  const path = rel.replace(/\\/g, '/').replace(/\.d\.ts$/, '');
  if (path === 'meta/v1') return 'k8s.io.apimachinery.pkg.apis.meta.v1';
  if (path === 'api/resource') return 'k8s.io.apimachinery.pkg.api.resource';
  if (path === 'runtime') return 'k8s.io.apimachinery.pkg.runtime';
  if (path === 'version') return 'k8s.io.apimachinery.pkg.version';
  return `k8s.io.api.${path.replace(/\//g, '.')}`;
}

/** A JSDoc block as upstream wrote the text: markers and the leading ` * ` of each line removed. */
function docText(node: ts.Node, source: string): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs?.length) return undefined;
  const last = docs[docs.length - 1];
  const raw = source.slice(last.pos, last.end).replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const lines = raw.split('\n').map((l, i) => (i === 0 && !/^\s*\*/.test(l) ? l.trim() : l.replace(/^\s*\* ?/, '').trimEnd()));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const text = lines.join('\n').trim();
  return text || undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

function describeFile(file: string, rel: string, out: Record<string, MessageDescription>): void {
  const source = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const pkg = protoPackageOfFile(rel);
  for (const st of sf.statements) {
    if (!ts.isInterfaceDeclaration(st) && !ts.isTypeAliasDeclaration(st)) continue;
    const name = `${pkg}.${st.name.text}`;
    const schema = messageSchema(name);
    if (!schema) continue;
    const entry: MessageDescription = {};
    const description = docText(st, source);
    if (description) entry.description = description;
    if (ts.isInterfaceDeclaration(st)) {
      const members = new Set(st.members.filter(ts.isPropertySignature).map((m) => propertyName(m.name)));
      // A message field that JSON lacks while JSON has fields of its message is inlined.
      const inline = [...schema.fields.values()]
        .filter((f) => f.kind === 'message' && !f.repeated && !f.map && !members.has(f.name))
        .filter((f) => [...(messageSchema(f.message!)?.fields.keys() ?? [])].some((n) => members.has(n)))
        .map((f) => f.name);
      const json = new Set([...schema.fields.keys()].filter((n) => !inline.includes(n)));
      for (const i of inline) for (const n of messageSchema(schema.fields.get(i)!.message!)!.fields.keys()) json.add(n);
      if (inline.length) entry.inline = inline;
      const fields: Record<string, string> = {};
      const required: string[] = [];
      const typeMeta: Record<string, string> = {};
      for (const m of st.members) {
        if (!ts.isPropertySignature(m)) continue;
        const field = propertyName(m.name);
        if ((field === 'apiVersion' || field === 'kind') && !json.has(field)) {
          const text = docText(m, source);
          if (text) typeMeta[field] = text;
          continue;
        }
        if (!field || !json.has(field)) continue;
        const text = docText(m, source);
        if (text) fields[field] = text;
        if (!m.questionToken) required.push(field);
      }
      if (Object.keys(fields).length) entry.fields = sortKeys(fields);
      if (required.length) entry.required = required;
      if (typeMeta.apiVersion && typeMeta.kind) entry.typeMeta = { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind };
    }
    if (Object.keys(entry).length) out[name] = entry;
  }
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function dtsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...dtsFiles(p));
    else if (e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** The descriptions file as the script writes it, built from the installed kubernetes-types. */
export function buildDescriptions(): DescriptionsFile {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('kubernetes-types/package.json');
  const root = dirname(pkgJson);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const messages: Record<string, MessageDescription> = {};
  for (const file of dtsFiles(root)) describeFile(file, relative(root, file), messages);
  for (const [name, extra] of Object.entries(EXTRA)) if (!messages[name] && messageSchema(name)) messages[name] = extra;
  return { source: `kubernetes-types ${version}`, messages: sortKeys(messages) };
}

export function renderDescriptions(file: DescriptionsFile): string {
  return JSON.stringify(file, null, 1) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = buildDescriptions();
  writeFileSync(OUTPUT, renderDescriptions(file));
  console.log(`${Object.keys(file.messages).length} messages described in ${relative(process.cwd(), OUTPUT)}`);
}
