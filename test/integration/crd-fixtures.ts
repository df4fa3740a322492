// The CustomResourceDefinitions the CRD suites apply: a namespaced Widget (two served
// versions, printer columns, status and scale subresources, short names, a category, a
// list-map for server-side apply, an embedded resource, defaults) and a cluster-scoped Gadget.
import { kubectlOk, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

/** A kubectl cluster with both CRDs applied and Established. */
export async function startCrdCluster(): Promise<KubectlCluster> {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  const cluster = await startKubectlCluster();
  const ok = (args: string[], input?: string) => kubectlOk(cluster, args, { input, timeoutMs: 60_000 });
  await ok(['apply', '-f', '-'], WIDGET_CRD);
  await ok(['apply', '-f', '-'], GADGET_CRD);
  await ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/widgets.test.k8ts.io', 'crd/gadgets.test.k8ts.io']);
  return cluster;
}

export const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.k8ts.io
spec:
  group: test.k8ts.io
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [widgety]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Size, type: integer, jsonPath: .spec.size, priority: 1}
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is a thing made for tests.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [color]
            properties:
              color: {type: string, enum: [red, green, blue], description: The colour of the widget.}
              replicas: {type: integer, minimum: 0, maximum: 100, default: 1}
              size: {'x-kubernetes-int-or-string': true}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 10}
              notes: {type: string, nullable: true}
              extra: {type: object, 'x-kubernetes-preserve-unknown-fields': true}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer, default: 80}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`;

export const GADGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.test.k8ts.io
spec:
  group: test.k8ts.io
  scope: Cluster
  names: {plural: gadgets, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {level: {type: integer}}}
`;

export function widget(name: string, spec: string, labels = ''): string {
  return `apiVersion: test.k8ts.io/v1
kind: Widget
metadata:
  name: ${name}
${labels ? `  labels: {${labels}}\n` : ''}spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}
