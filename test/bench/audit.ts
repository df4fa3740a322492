// Benchmark: the audit log's own cost per request, in process: the event of a create filled in
// as the REST face fills it (source, user, attributes, decision, request object, response;
// the bodies where the level keeps them)
// and written to a file through AuditLog (policy, JSON line, batched writes, rotation check),
// against the same loop without the audit. The end-to-end figure (`rest` / `apiserver-creates`
// with BENCH_APISERVER_ARGS="--audit-log-path …") is within the machine's drift; this one is not.
//   node --import tsx test/bench/audit.ts [--events 200000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../packages/apiserver/src/audit/log.js';
import { METADATA_FOR_ALL, parsePolicy } from '../../packages/apiserver/src/audit/policy.js';
import { RequestAudit, type RequestAttributes } from '../../packages/apiserver/src/audit/request.js';
import { sourceIPs } from '../../packages/apiserver/src/audit/source.js';
import { objectJson, replyJson } from '../../packages/apiserver/src/audit/bodies.js';

const args = process.argv.slice(2);
const events = Number(args[args.indexOf('--events') + 1] || 200_000);

const POLICY = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- {level: None, users: [system:kube-proxy], verbs: [watch], resources: [{group: "", resources: [endpoints, services]}]}
- {level: None, userGroups: [system:nodes], verbs: [get], resources: [{group: "", resources: [nodes]}]}
- {level: None, users: [system:kube-controller-manager, system:kube-scheduler], verbs: [get, update], namespaces: [kube-system], resources: [{group: "", resources: [endpoints]}]}
- {level: None, nonResourceURLs: ["/healthz*", /version, "/swagger*"]}
- {level: None, resources: [{group: "", resources: [events]}]}
- {level: Metadata, resources: [{group: "", resources: [secrets, configmaps]}, {group: authentication.k8s.io, resources: [tokenreviews]}]}
- {level: Request, verbs: [get, list, watch], resources: [{group: ""}, {group: apps}, {group: batch}]}
- {level: RequestResponse, resources: [{group: ""}, {group: apps}]}
- {level: Metadata}
`);

const user = { name: 'kubernetes-admin', uid: 'uid-admin', groups: ['system:masters', 'system:authenticated'] };
const attrs: RequestAttributes = { verb: 'create', resourceRequest: true, path: '/api/v1/namespaces/bench/configmaps', apiGroup: '', apiVersion: 'v1', resource: 'configmaps', subresource: '', namespace: 'bench', name: '' };

const SENT = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'bench' }, data: { key: 'value', other: 'x'.repeat(64) } };
const REPLY = JSON.stringify({ ...SENT, metadata: { ...SENT.metadata, uid: '6f1c7f8e-9a51-4a43-9a3e-0b8d6c1f2a77', resourceVersion: '123456', creationTimestamp: '2026-12-06T10:00:00Z', managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-12-06T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:key': {}, 'f:other': {} } } }] } });
const ALL_BODIES = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- {level: RequestResponse}\n');

function run(log: AuditLog | undefined, n: number): number {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    if (!log) continue;
    const a = new RequestAudit(log, { requestURI: '/api/v1/namespaces/bench/configmaps?fieldManager=kubectl-create', sourceIPs: sourceIPs(undefined, undefined, '::ffff:127.0.0.1'), userAgent: 'kubectl/v1.32.5 (linux/amd64) kubernetes/9894294' });
    a.evaluate(user, attrs);
    a.decided(true, '');
    // As rest/audit.ts offers the bodies: encoded only where the level keeps them.
    if (a.keepsRequestBody) a.requestBody(objectJson(SENT, a.omitManagedFields));
    a.requestObject({ namespace: 'bench', name: `c-${i}` });
    if (a.keepsResponseBody) a.responseBody(replyJson(REPLY, a.omitManagedFields));
    a.complete(201);
  }
  const d = process.cpuUsage(cpu0);
  return (d.user + d.system) / n;
}

async function measure(label: string, policy: typeof METADATA_FOR_ALL): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-bench-'));
  try {
    const log = new AuditLog({ path: join(dir, 'audit.log'), policy, maxSizeMB: 0 });
    // In slices, so the batched writes of one tick go out between them as they would between requests.
    const slice = 1000;
    let total = 0;
    const cpu0 = process.cpuUsage();
    for (let done = 0; done < events; done += slice) {
      total += run(log, slice) * slice;
      await new Promise((r) => setImmediate(r));
    }
    await log.close();
    const all = process.cpuUsage(cpu0);
    const size = statSync(join(dir, 'audit.log')).size;
    console.log(`${label.padEnd(34)} ${(total / events).toFixed(2).padStart(6)} µs/event building   ${((all.user + all.system) / events).toFixed(2).padStart(6)} µs/event with the writes   ${(size / log.written).toFixed(0)} bytes/event`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${events} create events (the apiserver spends ≈ 200–400 µs of CPU on a create: README's benchmark table)`);
await measure('Metadata for all (no policy file)', METADATA_FOR_ALL);
await measure('9-rule policy (GCE-like)', POLICY);
await measure('Metadata for all, again', METADATA_FOR_ALL);
await measure('RequestResponse for all (bodies)', ALL_BODIES);
