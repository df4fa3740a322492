// Regenerates src/schema/generated/k8s-proto.json: the protobuf descriptors of the Kubernetes
// API types (field names, numbers, types) as upstream's k8s.io/api and k8s.io/apimachinery
// generated.proto define them. Go programs register those files as gzipped
// FileDescriptorProtos, so every kubectl binary carries them; this reads them out of one
// (no registry on the build machines, and the .proto files are not on npm).
//   node --import tsx packages/api/scripts/extract-proto.ts [path/to/kubectl]
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const binary = process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'schema', 'generated', 'k8s-proto.json');

// The packages k8ts serves or may serve: every stable API group, the apimachinery types and
// metrics.k8s.io (kubectl top registers it; the apiserver serves it).
const WANTED = /^k8s\.io\/(apimachinery\/pkg\/(apis\/meta\/v1|runtime|runtime\/schema|api\/resource|util\/intstr)|api\/[a-z0-9]+\/v[0-9]+|metrics\/pkg\/apis\/metrics\/v1beta1)\/generated\.proto$/;

const data = readFileSync(binary);
const GZIP = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
const files = new Map<string, Uint8Array>();
for (let i = data.indexOf(GZIP); i >= 0; i = data.indexOf(GZIP, i + 1)) {
  let raw: Buffer;
  try {
    // Raw inflate after the 10-byte header reads one gzip member only (gunzip would go on
    // into a member that happens to follow, and merge two files into one).
    raw = inflateRawSync(data.subarray(i + 10, i + 4 * 1024 * 1024), { finishFlush: 2 });
  } catch {
    continue;
  }
  let fd;
  try {
    fd = descriptor.FileDescriptorProto.decode(raw) as unknown as { name?: string };
  } catch {
    continue;
  }
  if (fd.name && WANTED.test(fd.name) && !files.has(fd.name)) files.set(fd.name, raw);
}
if (!files.has('k8s.io/api/core/v1/generated.proto')) {
  console.error(`no Kubernetes descriptors found in ${binary}`);
  process.exit(1);
}
// protobufjs' own Root.fromDescriptor misplaces types across files of these packages, so
// the descriptors become protobufjs JSON here: one namespace per package, messages with
// their fields (number, type, repeated or map); Kubernetes' protos use no enums or oneofs.
type Fd = { name: string; package: string; messageType?: Msg[] };
type Msg = { name: string; field?: F[]; nestedType?: Msg[]; options?: { mapEntry?: boolean } };
type F = { name: string; number: number; label: number; type: number; typeName?: string };
const SCALAR: Record<number, string> = { 1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32', 17: 'sint32', 18: 'sint64' };
const nested: Record<string, any> = {};
function ns(pkg: string): Record<string, any> {
  let cur = nested;
  for (const part of pkg.split('.')) {
    cur[part] ??= { nested: {} };
    cur = cur[part].nested;
  }
  return cur;
}
function messageJson(m: Msg): Record<string, unknown> {
  const maps = new Map((m.nestedType ?? []).filter((n) => n.options?.mapEntry).map((n) => [n.name, n]));
  const fields: Record<string, unknown> = {};
  for (const f of m.field ?? []) {
    const typeName = f.typeName?.replace(/^\./, '');
    const entry = typeName ? maps.get(typeName.split('.').pop()!) : undefined;
    if (entry) {
      const [k, v] = entry.field!;
      fields[f.name] = { keyType: SCALAR[k!.type], type: v!.typeName ? '.' + v!.typeName.replace(/^\./, '') : SCALAR[v!.type], id: f.number };
      continue;
    }
    const type = typeName ? '.' + typeName : SCALAR[f.type];
    if (!type) throw new Error(`unknown field type ${f.type} of ${m.name}.${f.name}`);
    fields[f.name] = { type, id: f.number, ...(f.label === 3 ? { rule: 'repeated' } : {}) };
  }
  const out: Record<string, unknown> = { fields };
  const inner = (m.nestedType ?? []).filter((n) => !n.options?.mapEntry);
  if (inner.length) out.nested = Object.fromEntries(inner.map((n) => [n.name, messageJson(n)]));
  return out;
}
for (const raw of files.values()) {
  const fd = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(raw), { defaults: false }) as unknown as Fd;
  const target = ns(fd.package);
  for (const m of fd.messageType ?? []) target[m.name] = messageJson(m);
}
const root = protobuf.Root.fromJSON({ nested });
root.resolveAll(); // every type a field names exists
const json = { source: `descriptors registered by ${binary.split('/').pop()}`, files: [...files.keys()].sort(), nested };
writeFileSync(out, JSON.stringify(json) + '\n');
console.log(`wrote ${out}: ${files.size} files`);
