import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, statusForInvalid, type FieldError } from './index.js';
import { applyDefaults } from '../defaults.js';

function defaulted(resource: string, obj: any): any {
  applyDefaults(resource, obj);
  return obj;
}

function pod(spec: any = {}, meta: any = {}): any {
  return defaulted('pods', { metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [{ name: 'c', image: 'nginx:1' }], ...spec } });
}

function msgs(errs: FieldError[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

function deployment(over: any = {}): any {
  return defaulted('deployments', {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...over,
    },
  });
}

test('a valid pod has no errors', () => {
  assert.deepEqual(validate('pods', pod()), []);
});

test('names: DNS-1123 subdomain, and the Status Kubernetes sends', () => {
  const errs = validate('pods', pod({}, { name: 'Bad_Name' }));
  assert.deepEqual(msgs(errs), [
    `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(msgs(validate('pods', pod({}, { name: undefined }))), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(validate('pods', pod({}, { name: undefined, generateName: 'web-' })), []);
  assert.equal(validate('pods', pod({}, { name: 'a'.repeat(254) }))[0]!.message, `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`);
  // Namespaces are DNS labels (no dots); services RFC 1035 labels (start with a letter).
  assert.equal(validate('namespaces', defaulted('namespaces', { metadata: { name: 'a.b' } }))[0]!.field, 'metadata.name');
  assert.deepEqual(validate('namespaces', defaulted('namespaces', { metadata: { name: 'team-a' } })), []);
  const svc = defaulted('services', { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  assert.match(validate('services', svc)[0]!.message, /a DNS-1035 label must consist of/);
  assert.deepEqual(msgs(validate('nodes', { metadata: { name: 'n', namespace: 'x' } })), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(msgs(validate('pods', pod({}, { namespace: undefined }))), ['metadata.namespace: Required value']);
});

test('statusForInvalid: one error, several errors, group-qualified kinds', () => {
  const p = pod({ containers: [{ name: 'c' }] });
  const st = statusForInvalid('Pod', 'bad', validate('pods', p));
  assert.deepEqual(st, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Pod "bad" is invalid: spec.containers[0].image: Required value',
    reason: 'Invalid',
    details: { name: 'bad', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }] },
    code: 422,
  });
  const two = statusForInvalid('pods', 'bad', validate('pods', pod({ containers: [{ name: 'c' }, { name: 'c', image: 'x' }] })));
  assert.equal(two.message, 'Pod "bad" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: "c"]');
  const d = statusForInvalid('deployments', 'web', [{ field: 'spec.replicas', type: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  assert.equal(d.message, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(d.details!.group, 'apps');
  assert.equal(d.details!.kind, 'Deployment');
});

test('labels and annotations', () => {
  const errs = validate('pods', pod({}, { labels: { 'bad key': 'v', ok: 'bad value', ['x'.repeat(64)]: 'v' } }));
  assert.deepEqual(
    errs.map((e) => e.field),
    ['metadata.labels', 'metadata.labels', 'metadata.labels'],
  );
  assert.match(errs[0]!.message, /^Invalid value: "bad key": name part must consist of alphanumeric characters/);
  assert.match(errs[1]!.message, /^Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters/);
  assert.match(errs[2]!.message, /name part must be no more than 63 characters/);
  const big = validate('pods', pod({}, { annotations: { a: 'x'.repeat(256 * 1024) } }));
  assert.deepEqual(msgs(big), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(validate('pods', pod({}, { annotations: { 'Example.com/Note': 'any text at all !' } })), []);
});

test('object size limit', () => {
  const cm = { metadata: { name: 'big', namespace: 'default' }, data: { a: 'x'.repeat(1024 * 1024), b: 'y'.repeat(600 * 1024) } };
  const errs = validate('configmaps', cm);
  assert.ok(errs.some((e) => e.type === 'FieldValueTooLong' && e.field === ''), JSON.stringify(msgs(errs)));
});

test('containers: required fields, unique names, ports, env, mounts, resources', () => {
  assert.deepEqual(msgs(validate('pods', pod({ containers: [] }))), ['spec.containers: Required value']);
  assert.deepEqual(msgs(validate('pods', pod({ containers: [{ image: 'x' }] }))), ['spec.containers[0].name: Required value']);
  const errs = validate(
    'pods',
    pod({
      containers: [
        {
          name: 'c',
          image: 'x',
          ports: [{ containerPort: 70000 }, { containerPort: 80, name: 'http', protocol: 'XYZ' }, { containerPort: 81, name: 'http' }, { name: 'Bad_Port' }],
          env: [{ name: '1BAD' }, { value: 'x' }],
          volumeMounts: [{ name: 'missing', mountPath: '/data' }],
          resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '1' } },
        },
      ],
    }),
  );
  const m = msgs(errs);
  assert.ok(m.includes('spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].ports[1].protocol: Unsupported value: "XYZ": supported values: "SCTP", "TCP", "UDP"'), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].ports[2].name: Duplicate value: "http"'), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].ports[3].containerPort: Required value'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.containers[0].ports[3].name: Invalid value: "Bad_Port": must contain only alpha-numeric characters')), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name')), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].env[1].name: Required value'), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].volumeMounts[0].name: Not found: "missing"'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match')), m.join('\n'));
  assert.ok(m.includes('spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'), m.join('\n'));
  // Names are unique across init and app containers.
  const dup = validate('pods', pod({ initContainers: [{ name: 'c', image: 'x' }] }));
  assert.deepEqual(msgs(dup).filter((x) => x.includes('Duplicate')), ['spec.containers[0].name: Duplicate value: "c"']);
});

test('extended resources and host network ports', () => {
  const gpu = (resources: any) => pod({ containers: [{ name: 'c', image: 'x', resources }] });
  assert.deepEqual(validate('pods', gpu({ limits: { 'nvidia.com/gpu': 1 } })), []);
  assert.deepEqual(msgs(validate('pods', gpu({ requests: { 'nvidia.com/gpu': 1 } }))), [
    'spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
  ]);
  assert.deepEqual(msgs(validate('pods', gpu({ requests: { 'nvidia.com/gpu': 1 }, limits: { 'nvidia.com/gpu': 2 } }))), [
    'spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2',
  ]);
  const hn = pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
  assert.deepEqual(msgs(validate('pods', hn)), ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true']);
  const hn2 = pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }] }] });
  assert.equal(hn2.spec.containers[0].ports[0].hostPort, 80, 'defaulted to containerPort');
  assert.deepEqual(validate('pods', hn2), []);
});

test('pod spec: restart policy, probes, volumes', () => {
  assert.deepEqual(msgs(validate('pods', pod({ restartPolicy: 'Sometimes' }))), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  const probe = validate('pods', pod({ containers: [{ name: 'c', image: 'x', livenessProbe: { periodSeconds: 5 } }] }));
  assert.ok(msgs(probe).includes('spec.containers[0].livenessProbe: Required value: must specify a handler type'), msgs(probe).join('\n'));
  const vol = validate('pods', pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', configMap: {} }] }));
  assert.deepEqual(msgs(vol), ['spec.volumes[1].name: Duplicate value: "v"', 'spec.volumes[1].configMap.name: Required value']);
  assert.deepEqual(msgs(validate('pods', pod({ activeDeadlineSeconds: 0 }))), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']);
});

test('tolerations and node affinity', () => {
  const errs = validate(
    'pods',
    pod({
      tolerations: [
        { key: 'k', operator: 'Foo' },
        { key: 'k', operator: 'Equal', value: 'v', effect: 'Sometimes' },
        { operator: 'Equal', value: 'v' },
        { key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 },
        { operator: 'Exists' },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'zone', operator: 'Near', values: ['a'] },
                  { key: 'zone', operator: 'In' },
                  { key: 'zone', operator: 'Exists', values: ['a'] },
                  { key: 'cpus', operator: 'Gt', values: ['4'] },
                ],
              },
            ],
          },
        },
      },
    }),
  );
  const m = msgs(errs);
  const term = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions';
  assert.deepEqual(m, [
    'spec.tolerations[0].operator: Unsupported value: "Foo": supported values: "Equal", "Exists"',
    'spec.tolerations[1].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    'spec.tolerations[2].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    "spec.tolerations[3].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    `${term}[0].operator: Invalid value: "Near": not a valid selector operator`,
    `${term}[1].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${term}[2].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
  ]);
  const noTerms = validate('pods', pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }));
  assert.deepEqual(msgs(noTerms), [
    'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
  ]);
});

test('pod updates: images and additive tolerations only', () => {
  const old = pod({ tolerations: [{ key: 'a', operator: 'Exists' }] }, { uid: 'u' });
  const img = structuredClone(old);
  img.spec.containers[0].image = 'nginx:2';
  img.spec.tolerations.push({ key: 'b', operator: 'Exists' });
  img.spec.activeDeadlineSeconds = 30;
  img.metadata.labels = { changed: 'yes' };
  assert.deepEqual(validate('pods', img, old), []);
  const bad = structuredClone(old);
  bad.spec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
  const errs = validate('pods', bad, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec');
  assert.equal(errs[0]!.type, 'FieldValueForbidden');
  assert.match(errs[0]!.message, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\)/);
  const removed = structuredClone(old);
  removed.spec.tolerations = [];
  assert.deepEqual(msgs(validate('pods', removed, old)), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  const moved = structuredClone(old);
  moved.metadata.namespace = 'other';
  assert.deepEqual(msgs(validate('pods', moved, old)), ['metadata.namespace: Invalid value: "other": field is immutable']);
  // Status writes do not re-check the spec.
  const st = structuredClone(bad);
  assert.deepEqual(validate('pods', st, old, { subresource: 'status' }), []);
  const bound = structuredClone(old);
  bound.spec.nodeName = 'node-1';
  assert.equal(validate('pods', bound, old).length, 1, 'an update may not bind');
  assert.deepEqual(validate('pods', bound, old, { subresource: 'binding' }), []);
});

test('deployments: selector required, must match template labels, immutable', () => {
  assert.deepEqual(validate('deployments', deployment()), []);
  assert.deepEqual(msgs(validate('deployments', deployment({ selector: undefined }))), ['spec.selector: Required value']);
  const mismatch = deployment();
  mismatch.spec.template.metadata.labels = { app: 'other' };
  assert.deepEqual(msgs(validate('deployments', mismatch)), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`']);
  const empty = deployment({ selector: {} });
  assert.deepEqual(msgs(validate('deployments', empty)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  const never = deployment();
  never.spec.template.spec.restartPolicy = 'Never';
  assert.deepEqual(msgs(validate('deployments', never)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  assert.deepEqual(msgs(validate('deployments', deployment({ replicas: -1 }))), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const zero = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
  assert.deepEqual(msgs(validate('deployments', zero)), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
  ]);
  const old = deployment();
  const moved = deployment({ selector: { matchLabels: { app: 'web', v: '2' } } });
  moved.spec.template.metadata.labels.v = '2';
  assert.deepEqual(msgs(validate('deployments', moved, old)), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = deployment({ replicas: 5 });
  assert.deepEqual(validate('deployments', scaled, old), []);
});

test('replicasets and daemonsets share the selector rules', () => {
  const rs = defaulted('replicasets', { metadata: { name: 'r', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  assert.equal(validate('replicasets', rs)[0]!.field, 'spec.template.metadata.labels');
  const ds = defaulted('daemonsets', { metadata: { name: 'd', namespace: 'default' }, spec: { template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  assert.deepEqual(msgs(validate('daemonsets', ds)), ['spec.selector: Required value']);
});

test('services', () => {
  const svc = (spec: any) => defaulted('services', { metadata: { name: 's', namespace: 'default' }, spec });
  assert.deepEqual(validate('services', svc({ selector: { app: 'a' }, ports: [{ port: 80 }] })), []);
  const m = msgs(validate('services', svc({ ports: [{ port: 0 }, { port: 80, name: 'b' }, { port: 80, name: 'c', targetPort: 'Bad_Name' }] })));
  assert.ok(m.includes('spec.ports[0].name: Required value'), m.join('\n'));
  assert.ok(m.includes('spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP"')), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.ports[2].targetPort: Invalid value: "Bad_Name"')), m.join('\n'));
  assert.deepEqual(msgs(validate('services', svc({ type: 'Magic', ports: [{ port: 80 }] }))), [
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(msgs(validate('services', svc({ type: 'ExternalName' }))), ['spec.externalName: Required value']);
  assert.deepEqual(validate('services', svc({ type: 'ExternalName', externalName: 'db.example.com' })), []);
  assert.deepEqual(msgs(validate('services', svc({ ports: [{ port: 80, nodePort: 30000 }] }))), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(msgs(validate('services', svc({}))), ['spec.ports: Required value']);
  assert.deepEqual(validate('services', svc({ clusterIP: 'None' })), []);
  const old = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] });
  const changed = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'] });
  assert.deepEqual(msgs(validate('services', changed, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
  const same = svc({ ports: [{ port: 81 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] });
  assert.deepEqual(validate('services', same, old), []);
});

test('jobs: restart policy OnFailure/Never, selector immutable', () => {
  const job = (tpl: any = {}) =>
    defaulted('jobs', { metadata: { name: 'j', namespace: 'default', uid: 'u1' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], ...tpl } } } });
  assert.deepEqual(msgs(validate('jobs', job())), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const ok = job({ restartPolicy: 'Never' });
  assert.deepEqual(validate('jobs', ok), []);
  const noUid = defaulted('jobs', { metadata: { name: 'j', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } });
  assert.deepEqual(msgs(validate('jobs', noUid)), ['spec.selector: Required value']);
  const moved = structuredClone(ok);
  moved.spec.selector = { matchLabels: { x: 'y' } };
  moved.spec.template.metadata.labels.x = 'y';
  assert.equal(validate('jobs', moved, ok)[0]!.message.endsWith('field is immutable'), true);
  const newImage = structuredClone(ok);
  newImage.spec.template.spec.containers[0].image = 'other';
  assert.deepEqual(msgs(validate('jobs', newImage, ok)), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  const suspended = structuredClone(ok);
  suspended.spec.suspend = true;
  const resumed = structuredClone(newImage);
  resumed.spec.suspend = false;
  assert.deepEqual(validate('jobs', resumed, suspended), [], 'a suspended job may change its template');
  const more = structuredClone(ok);
  more.spec.completions = 3;
  assert.deepEqual(msgs(validate('jobs', more, ok)), ['spec.completions: Invalid value: 3: field is immutable']);
  const parallel = structuredClone(ok);
  parallel.spec.parallelism = 4;
  assert.deepEqual(validate('jobs', parallel, ok), []);
});

test('cronjobs: schedules, macros, name length', () => {
  const cj = (schedule: any, name = 'c') =>
    defaulted('cronjobs', {
      metadata: { name, namespace: 'default' },
      spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'i' }] } } } } },
    });
  for (const s of ['*/5 * * * *', '0 0 * * 0', '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@midnight', '15 2 1-7 * MON-FRI', '@every 1h30m'])
    assert.deepEqual(validate('cronjobs', cj(s)), [], s);
  for (const s of ['* * * *', '61 * * * *', '@sometimes', 'not a schedule', 'TZ=UTC * * * * *']) {
    const errs = validate('cronjobs', cj(s));
    assert.equal(errs.length, 1, s);
    assert.equal(errs[0]!.field, 'spec.schedule');
    assert.match(errs[0]!.message, new RegExp(`^Invalid value: ${JSON.stringify(s).replace(/[*]/g, '\\*')}`));
  }
  assert.deepEqual(msgs(validate('cronjobs', cj(''))), ['spec.schedule: Required value']);
  // robfig/cron's words, as Kubernetes reports them.
  assert.deepEqual(msgs(validate('cronjobs', cj('61 * * * *'))), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(msgs(validate('cronjobs', cj('* * * *'))), ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]']);
  assert.deepEqual(msgs(validate('cronjobs', cj('@sometimes'))), ['spec.schedule: Invalid value: "@sometimes": unrecognized descriptor: @sometimes']);
  assert.deepEqual(msgs(validate('cronjobs', cj('0 0 0 * *'))), ['spec.schedule: Invalid value: "0 0 0 * *": beginning of range (0) below minimum (1): 0']);
  assert.deepEqual(validate('cronjobs', cj('0 9 * JAN-MAR mon,wed')), []);
  assert.deepEqual(msgs(validate('cronjobs', cj('@hourly', 'n'.repeat(53)))), [`metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`]);
  const always = cj('@hourly');
  always.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
  assert.deepEqual(msgs(validate('cronjobs', always)), ['spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
});

test('nodes, secrets, configmaps, namespaces', () => {
  const node = { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }, { key: 'x' }] }, status: { capacity: { cpu: 'lots' } } };
  const m = msgs(validate('nodes', node));
  assert.ok(m.includes('spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'), m.join('\n'));
  assert.ok(m.includes('spec.taints[1].effect: Required value'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('status.capacity[cpu]: Invalid value: "lots"')), m.join('\n'));
  const sec = defaulted('secrets', { metadata: { name: 's', namespace: 'default' }, data: { 'bad key': 'aGk=', ok: 'not base64!' } });
  const sm = msgs(validate('secrets', sec));
  assert.ok(sm.some((x) => x.startsWith('data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters')), sm.join('\n'));
  assert.ok(sm.includes('data[ok]: Invalid value: "<secret contents redacted>": illegal base64 data'), sm.join('\n'));
  const tls = defaulted('secrets', { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} });
  assert.deepEqual(msgs(validate('secrets', tls)), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  const old = defaulted('secrets', { metadata: { name: 's', namespace: 'default' }, data: {} });
  const retyped = { ...structuredClone(old), type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } };
  assert.ok(msgs(validate('secrets', retyped, old)).includes('type: Invalid value: "kubernetes.io/tls": field is immutable'));
  assert.deepEqual(validate('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { 'app.properties': 'a=b' } }), []);
  const n0 = { metadata: { name: 'n' }, spec: {} };
  const n1 = { metadata: { name: 'n' }, spec: { podCIDR: '10.0.1.0/24', unschedulable: true } };
  assert.deepEqual(validate('nodes', n1, n0), []);
  const n2 = { metadata: { name: 'n' }, spec: { podCIDR: '10.0.2.0/24' } };
  assert.deepEqual(msgs(validate('nodes', n2, n1)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
});

test('a node\'s pod ranges: CIDRs of either family, one per family, never changed once set', () => {
  const node = (spec: Record<string, unknown>) => ({ metadata: { name: 'n' }, spec });
  assert.deepEqual(validate('nodes', node({ podCIDR: '10.213.128.0/24', podCIDRs: ['10.213.128.0/24', 'fd00:1::/64'] })), []);
  const INVALID = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
  assert.deepEqual(msgs(validate('nodes', node({ podCIDR: '999.1.1.1/24' }))), [`spec.podCIDR: Invalid value: "999.1.1.1/24": ${INVALID}`]);
  assert.deepEqual(msgs(validate('nodes', node({ podCIDRs: ['10.0.0.0/33', 'x'] }))), [`spec.podCIDRs[0]: Invalid value: "10.0.0.0/33": ${INVALID}`, `spec.podCIDRs[1]: Invalid value: "x": ${INVALID}`]);
  assert.deepEqual(msgs(validate('nodes', node({ podCIDRs: ['10.0.1.0/24', '10.0.2.0/24'] }))), ['spec.podCIDRs: Invalid value: []string{"10.0.1.0/24", "10.0.2.0/24"}: may specify no more than one CIDR for each IP family']);
  const set = node({ podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24'] });
  assert.deepEqual(msgs(validate('nodes', node({ podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24', 'fd00::/64'] }), set)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  assert.deepEqual(validate('nodes', set, node({})), []);
});

test('paths inside volumes stay inside: subPath and items paths relative, without ..', () => {
  const mounts = (subPath: string) => pod({ volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/d', subPath }] }] });
  assert.deepEqual(msgs(validate('pods', mounts('a/b'))), []);
  assert.deepEqual(msgs(validate('pods', mounts('a/../../etc'))), ['spec.containers[0].volumeMounts[0].subPath: Invalid value: "a/../../etc": must not contain \'..\'']);
  assert.deepEqual(msgs(validate('pods', mounts('/etc'))), ['spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path']);
  assert.deepEqual(msgs(validate('pods', mounts('x..y'))), [], "'..' inside a name is no parent");
  const items = pod({ volumes: [{ name: 'v', configMap: { name: 'cm', items: [{ key: 'k', path: '../k' }] } }] });
  assert.deepEqual(msgs(validate('pods', items)), ['spec.volumes[0].configMap.items[0].path: Invalid value: "../k": must not contain \'..\'']);
});
