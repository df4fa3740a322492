// The fuzz test's requests (issue 12), shared with the soak test (test/soak): a seeded
// choice of kind, operation and mutations of a valid body, made into one REST request.
import { Rng, mutateBody, type Mutation } from './fuzz-mutations.js';

/** Where the requests go: the namespace, the odd ones picked 5 % of the time, and create names. */
export interface FuzzPlace {
  namespace: string;
  /** Five of them: the PRNG picks among five, so a seed gives the same requests everywhere. */
  oddNamespaces: readonly [string, string, string, string, string];
  createName: (i: number) => string;
}

export const DEFAULT_PLACE: FuzzPlace = { namespace: 'default', oddNamespaces: ['', 'nope', 'ü', 'a/b', 'kube-system'], createName: (i) => `c${i}` };

interface Kind {
  resource: string;
  path: (ns: string) => string;
  status: boolean;
  body: (name: string) => Record<string, any>;
}

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '100m', memory: '64Mi' } } }] } });

export const KINDS: Kind[] = [
  { resource: 'pods', path: (ns) => `/api/v1/namespaces/${ns}/pods`, status: true, body: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'f' }, annotations: { a: 'b' } }, spec: { ...template('f').spec, restartPolicy: 'Always', nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists' }] }, status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] } }) },
  { resource: 'deployments', path: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`, status: true, body: (name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } }, spec: { replicas: 2, selector: { matchLabels: { app: name } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, template: template(name) }, status: { replicas: 2, readyReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } }) },
  { resource: 'services', path: (ns) => `/api/v1/namespaces/${ns}/services`, status: true, body: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }) },
  { resource: 'configmaps', path: (ns) => `/api/v1/namespaces/${ns}/configmaps`, status: false, body: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { a: 'b' } }, data: { key: 'value', 'file.txt': 'x\ny' }, binaryData: { bin: 'AAEC' } }) },
  { resource: 'persistentvolumeclaims', path: (ns) => `/api/v1/namespaces/${ns}/persistentvolumeclaims`, status: true, body: (name) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }) },
  { resource: 'persistentvolumes', path: () => '/api/v1/persistentvolumes', status: true, body: (name) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/tmp/fuzz', type: 'DirectoryOrCreate' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } }, status: { phase: 'Available' } }) },
  { resource: 'jobs', path: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs`, status: true, body: (name) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { completions: 1, parallelism: 1, backoffLimit: 2, template: { ...template(name), spec: { ...template(name).spec, restartPolicy: 'Never' } } }, status: { succeeded: 0, active: 1 } }) },
  // A custom kind (FUZZ_CRD, created by the suite first): schema validation, pruning and defaults instead of a proto schema.
  { resource: 'fuzzwidgets.fuzz.k8ts.io', path: (ns) => `/apis/fuzz.k8ts.io/v1/namespaces/${ns}/fuzzwidgets`, status: true, body: (name) => ({ apiVersion: 'fuzz.k8ts.io/v1', kind: 'FuzzWidget', metadata: { name, labels: { app: name } }, spec: { replicas: 2, color: 'red', size: 3, ports: [{ name: 'http', port: 80 }], extra: { any: [1, 'x'] } }, status: { replicas: 1, ready: true } }) },
];

/** The CustomResourceDefinition of the custom kind in KINDS. */
export const FUZZ_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'fuzzwidgets.fuzz.k8ts.io' },
  spec: {
    group: 'fuzz.k8ts.io',
    scope: 'Namespaced',
    names: { plural: 'fuzzwidgets', kind: 'FuzzWidget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        additionalPrinterColumns: [{ name: 'Color', type: 'string', jsonPath: '.spec.color' }, { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['color'],
                properties: {
                  replicas: { type: 'integer', minimum: 0, maximum: 1000, default: 1 },
                  color: { type: 'string', enum: ['red', 'blue'] },
                  size: { 'x-kubernetes-int-or-string': true },
                  ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 15 }, port: { type: 'integer', default: 80 } } } },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' }, ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

const OPS = ['create', 'update', 'merge', 'strategic', 'json', 'apply', 'status-put', 'status-merge', 'scale', 'protobuf'] as const;
// Query parameters the handlers read, with values they must refuse (or take) without a 5xx.
const QUERY = ['dryRun', 'fieldManager', 'force', 'fieldValidation', 'pretty', 'gracePeriodSeconds', 'resourceVersion', 'timeoutSeconds'];
const QUERY_VALUES = ['All', 'x', '', '-1', '1e400', '\u0000', 'ü😀', 'true', '99999999999999999999'];

/** Bytes as a protobuf body: the k8s envelope's magic, then anything. */
function protobufBody(rng: Rng): Buffer {
  const n = rng.int(200);
  const junk = Buffer.from(Array.from({ length: n }, () => rng.int(256)));
  return rng.chance(0.7) ? Buffer.concat([Buffer.from('k8s\u0000'), junk]) : junk;
}
type Op = (typeof OPS)[number];

export interface Sent {
  op: Op;
  resource: string;
  mutations: Mutation[];
  method: string;
  url: string;
  contentType: string;
  body: string | Buffer;
  accept?: string;
}

/** A request, sometimes with a garbage query parameter or asking for a Table. */
export function fuzzRequest(rng: Rng, i: number, place: FuzzPlace = DEFAULT_PLACE): Sent {
  const s = bodyRequest(rng, i, place);
  if (rng.chance(0.1)) {
    s.url += `${s.url.includes('?') ? '&' : '?'}${rng.pick(QUERY)}=${encodeURIComponent(rng.pick(QUERY_VALUES))}`;
    s.mutations.push({ kind: 'query', path: s.url.slice(s.url.lastIndexOf('?')) });
  }
  if (rng.chance(0.1)) s.accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  return s;
}

function bodyRequest(rng: Rng, i: number, place: FuzzPlace): Sent {
  const kind = rng.pick(KINDS);
  let op = rng.pick(OPS);
  if ((op === 'status-put' || op === 'status-merge') && !kind.status) op = 'merge';
  if (op === 'scale' && kind.resource !== 'deployments') op = 'json';
  const ns = rng.chance(0.05) ? rng.pick(place.oddNamespaces) : place.namespace;
  const target = `t${rng.int(4)}`;
  const collection = kind.path(ns);
  const item = `${collection}/${target}`;
  const mutations: Mutation[] = [];
  const mutated = (name: string) => mutateBody(rng, kind.body(name), mutations);
  switch (op) {
    case 'create':
      return { op, resource: kind.resource, mutations, method: 'POST', url: collection, contentType: 'application/json', body: mutated(place.createName(i)) };
    case 'update':
      return { op, resource: kind.resource, mutations, method: 'PUT', url: item, contentType: 'application/json', body: mutated(target) };
    case 'merge':
    case 'strategic':
      return { op, resource: kind.resource, mutations, method: 'PATCH', url: item, contentType: `application/${op === 'merge' ? 'merge' : 'strategic-merge'}-patch+json`, body: mutateBody(rng, rng.pick([{ metadata: { labels: { x: 'y' } } }, { spec: kind.body(target).spec ?? {} }, { data: { k: 'v' } }, kind.body(target)]), mutations) };
    case 'json':
      return { op, resource: kind.resource, mutations, method: 'PATCH', url: item, contentType: 'application/json-patch+json', body: mutateBody(rng, [{ op: rng.pick(['add', 'replace', 'remove', 'test', 'move', 'copy', 'bogus']), path: rng.pick(['/metadata/labels/x', '/spec', '/metadata', '/status/podIPs', '/spec/replicas', '/data/k', '/metadata/name', '/', '', '/spec/containers/0/image', '/spec/template/spec/containers/-']), value: { a: 1 }, from: '/metadata/labels' }] as any, mutations) };
    case 'apply':
      return { op, resource: kind.resource, mutations, method: 'PATCH', url: `${item}?fieldManager=fuzz&force=${rng.chance(0.5)}`, contentType: 'application/apply-patch+yaml', body: mutated(target) };
    case 'status-put':
      return { op, resource: kind.resource, mutations, method: 'PUT', url: `${item}/status`, contentType: 'application/json', body: mutated(target) };
    case 'status-merge':
      return { op, resource: kind.resource, mutations, method: 'PATCH', url: `${item}/status`, contentType: 'application/merge-patch+json', body: mutateBody(rng, { status: kind.body(target).status }, mutations) };
    case 'protobuf':
      mutations.push({ kind: 'protobuf', path: '(body)' });
      return { op, resource: kind.resource, mutations, method: rng.pick(['POST', 'PUT']), url: rng.chance(0.5) ? collection : item, contentType: 'application/vnd.kubernetes.protobuf', body: protobufBody(rng) };
    case 'scale':
      return { op, resource: kind.resource, mutations, method: rng.pick(['PUT', 'PATCH']), url: `${item}/scale`, contentType: 'application/merge-patch+json', body: mutateBody(rng, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: target }, spec: { replicas: 3 } }, mutations) };
  }
}
