// The OpenAPI of what CustomResourceDefinitions serve, as kube-apiserver publishes it for
// `kubectl explain` and kubectl's field validation: each custom kind's schema from its CRD
// version (metadata as ObjectMeta, apiVersion and kind described, the GVK marked), its List,
// and the CustomResourceDefinition kind itself (a loose schema: k8ts has no proto for it).
// Definition names are upstream's: the group reversed (`com.example.v1.Widget`).
import type { ResourceInfo } from '@k8ts/api';
import type { Flavor, Gvk, Schema } from './schemas.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CRD_PREFIX = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/** A definition that comes from here, not from the proto schema. */
export interface CustomDefinition {
  build(flavor: Flavor, gvks: readonly Gvk[]): Schema;
}

const registered = new Map<string, CustomDefinition>();

export function isCustomDefinition(name: string): boolean {
  return registered.has(name);
}

export function customDefinition(name: string, flavor: Flavor, gvks: readonly Gvk[]): Schema {
  return registered.get(name)!.build(flavor, gvks);
}

function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

const ref = (name: string, flavor: Flavor) => `${flavor === 'v3' ? '#/components/schemas/' : '#/definitions/'}${name}`;
const TYPE_META = {
  apiVersion: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
};

function metaRef(message: string, description: string, flavor: Flavor): Schema {
  return flavor === 'v3' ? { allOf: [{ $ref: ref(`${META}.${message}`, flavor) }], description } : { $ref: ref(`${META}.${message}`, flavor), description };
}

/** Swagger 2.0 has no nullable, anyOf, oneOf or not: upstream drops them from v2. */
function forFlavor(s: unknown, flavor: Flavor, depth = 0): unknown {
  if (flavor === 'v3' || !s || typeof s !== 'object' || depth > 64) return s;
  if (Array.isArray(s)) return s.map((x) => forFlavor(x, flavor, depth + 1));
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'nullable' || k === 'anyOf' || k === 'oneOf' || k === 'not') continue;
    out[k] = k === 'enum' || k === 'default' || k === 'example' ? v : forFlavor(v, flavor, depth + 1);
  }
  return out;
}

function objectDefinition(info: ResourceInfo): CustomDefinition {
  return {
    build(flavor, gvks) {
      const schema = JSON.parse(JSON.stringify(info.custom?.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })) as Schema;
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      props.apiVersion = { description: TYPE_META.apiVersion, type: 'string' };
      props.kind = { description: TYPE_META.kind, type: 'string' };
      props.metadata = metaRef('ObjectMeta', "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", flavor);
      schema.properties = props;
      schema.type = 'object';
      schema['x-kubernetes-group-version-kind'] = gvks;
      return forFlavor(schema, flavor) as Schema;
    },
  };
}

function listDefinition(item: string, listKind: string): CustomDefinition {
  return {
    build(flavor, gvks) {
      return {
        description: `${listKind} is a list of ${item.split('.').pop()}`,
        required: ['items'],
        type: 'object',
        properties: {
          apiVersion: { description: TYPE_META.apiVersion, type: 'string' },
          items: { description: `List of ${item.split('.').pop()?.toLowerCase()}s.`, type: 'array', items: { $ref: ref(item, flavor) } },
          kind: { description: TYPE_META.kind, type: 'string' },
          metadata: metaRef('ListMeta', 'Standard list metadata.', flavor),
        },
        'x-kubernetes-group-version-kind': gvks,
      };
    },
  };
}

const CRD_DESCRIPTION = 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.';

function crdDefinition(): CustomDefinition {
  return {
    build(flavor, gvks) {
      const loose = (description: string): Schema => ({ description, type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
      return {
        description: CRD_DESCRIPTION,
        required: ['spec'],
        type: 'object',
        properties: {
          apiVersion: { description: TYPE_META.apiVersion, type: 'string' },
          kind: { description: TYPE_META.kind, type: 'string' },
          metadata: metaRef('ObjectMeta', "Standard object's metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", flavor),
          spec: loose('spec describes how the user wants the resources to appear'),
          status: loose('status indicates the actual state of the CustomResourceDefinition'),
        },
        'x-kubernetes-group-version-kind': gvks,
      };
    },
  };
}

/** The definition names of a resource's object and list kinds, when they come from here. */
export function customKindNames(r: ResourceInfo): { object: string; list: string } | undefined {
  if (r.resource === 'customresourcedefinitions') {
    const object = `${CRD_PREFIX}.CustomResourceDefinition`;
    const list = `${CRD_PREFIX}.CustomResourceDefinitionList`;
    registered.set(object, crdDefinition());
    registered.set(list, listDefinition(object, 'CustomResourceDefinitionList'));
    return { object, list };
  }
  if (!r.custom) return undefined;
  const prefix = `${reversedGroup(r.group)}.${r.version}`;
  const object = `${prefix}.${r.kind}`;
  const list = `${prefix}.${r.listKind}`;
  registered.set(object, objectDefinition(r));
  registered.set(list, listDefinition(object, r.listKind));
  return { object, list };
}
