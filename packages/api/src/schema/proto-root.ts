// The protobuf descriptors of the Kubernetes types (generated/k8s-proto.json, read out of
// kubectl by scripts/extract-proto.ts) as a protobufjs Root, loaded once.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

interface GeneratedFile {
  source: string;
  files: string[];
  nested: protobuf.INamespace['nested'];
}

let root: protobuf.Root | undefined;
let generated: GeneratedFile | undefined;

export function generatedDescriptors(): GeneratedFile {
  generated ??= JSON.parse(readFileSync(new URL('./generated/k8s-proto.json', import.meta.url), 'utf8')) as GeneratedFile;
  return generated;
}

/** Every Kubernetes message, resolved: `protoRoot().lookupType('k8s.io.api.core.v1.Pod')`. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON({ nested: generatedDescriptors().nested });
    root.resolveAll();
  }
  return root;
}
