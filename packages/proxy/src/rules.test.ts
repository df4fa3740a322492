import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { buildRules, buildCleanup } from './rules.js';
import { servicePorts } from './service-ports.js';
import { ChainNames, hash16 } from './chain-names.js';

const chains = new ChainNames('K8TS');
const cfg = { chains, nodeName: 'node-a', rejectRanges: ['10.96.0.0/16', '10.214.0.0/24'] };

const service = (name: string, spec: any, status: any = {}): KubeObject => ({ metadata: { name, namespace: 'web' }, spec: { type: 'ClusterIP', ...spec }, status });
const endpoints = (name: string, ips: Array<[string, string?]>, ports: any[] = [{ port: 8080, protocol: 'TCP' }], notReady: string[] = []): KubeObject => ({
  metadata: { name, namespace: 'web' },
  subsets: [{ addresses: ips.map(([ip, nodeName]) => ({ ip, nodeName })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports }],
});
const rulesFor = (svcs: KubeObject[], eps: KubeObject[], existing?: { nat: string[]; filter: string[] }) =>
  buildRules(servicePorts(svcs, new Map(eps.map((e) => [`web/${e.metadata.name}`, e]))), cfg, existing);
const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

test('chain names are stable, short and prefixed', () => {
  assert.equal(hash16('web/nginx:tcp'), hash16('web/nginx:tcp'));
  assert.match(chains.svc('web/nginx:', 'tcp'), /^K8TS-SVC-[A-Z2-7]{16}$/);
  assert.ok(chains.sep('web/nginx:', 'tcp', '10.213.0.5:8080').length <= 28);
  assert.throws(() => new ChainNames('TOOLONG7'));
});

test('ClusterIP spreads over ready endpoints with equal probability, iptables-restore text', () => {
  const r = rulesFor([service('nginx', { clusterIP: '10.96.0.20', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] })], [endpoints('nginx', [['10.213.0.5'], ['10.213.0.6'], ['10.213.0.7']], undefined, ['10.213.0.8'])]);
  const svc = chains.svc('web/nginx:', 'tcp');
  assert.match(r.text, /^\*filter\n/);
  assert.match(r.text, /\nCOMMIT\n\*nat\n/);
  assert.ok(r.text.includes(`:${svc} - [0:0]`));
  assert.deepEqual(lines(r.text, new RegExp(`^-A K8TS-SERVICES .*-j ${svc}$`)), [
    `-A K8TS-SERVICES -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "web/nginx: cluster IP" -j ${svc}`,
  ]);
  const jumps = lines(r.text, new RegExp(`^-A ${svc} `));
  assert.equal(jumps.length, 3);
  assert.match(jumps[0]!, /--probability 0\.3333333333 -j K8TS-SEP-/);
  assert.match(jumps[1]!, /--probability 0\.5000000000 -j K8TS-SEP-/);
  assert.doesNotMatch(jumps[2]!, /statistic/);
  const dnat = lines(r.text, /-j DNAT/);
  assert.deepEqual(dnat.map((l) => /--to-destination (\S+)/.exec(l)![1]), ['10.213.0.5:8080', '10.213.0.6:8080', '10.213.0.7:8080']);
  // Hairpin: an endpoint reaching itself through the VIP is masqueraded.
  assert.equal(lines(r.text, /-s 10\.213\.0\.5\/32 -j K8TS-MARK-MASQ/).length, 1);
  // Not-ready addresses get no rule.
  assert.doesNotMatch(r.text, /10\.213\.0\.8/);
  // The range catch-all REJECTs come after any per-service rule, tcp-reset for TCP.
  const filterLines = lines(r.text, /^-A K8TS-SERVICES .*REJECT/);
  assert.deepEqual(filterLines.slice(-4).map((l) => /-d (\S+)/.exec(l)![1]), ['10.96.0.0/16', '10.96.0.0/16', '10.214.0.0/24', '10.214.0.0/24']);
  assert.match(filterLines.at(-4)!, /-p tcp .*--reject-with tcp-reset/);
  // The node-port jump is the last nat rule of K8TS-SERVICES.
  assert.match(lines(r.text, /^-A K8TS-SERVICES .*(-j K8TS-|addrtype)/).at(-1)!, /--dst-type LOCAL -j K8TS-NODEPORTS$/);
});

test('a Service without ready endpoints is rejected at once, and has no NAT chain', () => {
  const r = rulesFor([service('empty', { clusterIP: '10.96.0.30', type: 'NodePort', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] })], [endpoints('empty', [], undefined, ['10.213.0.9'])]);
  assert.deepEqual(lines(r.text, /has no endpoints/), [
    '-A K8TS-SERVICES -d 10.96.0.30/32 -p tcp -m tcp --dport 80 -m comment --comment "web/empty: has no endpoints" -j REJECT --reject-with tcp-reset',
    '-A K8TS-EXTERNAL -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -m comment --comment "web/empty: has no endpoints" -j REJECT --reject-with tcp-reset',
  ]);
  assert.doesNotMatch(r.text, /K8TS-SVC-/);
});

test('NodePort and LoadBalancer go through an EXT chain that masquerades; UDP uses icmp rejects', () => {
  const r = rulesFor(
    [service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.40', ports: [{ name: 'dns', port: 53, nodePort: 30053, protocol: 'UDP' }] }, { loadBalancer: { ingress: [{ ip: '10.214.0.7' }] } })],
    [endpoints('lb', [['10.213.0.5']], [{ name: 'dns', port: 5353, protocol: 'UDP' }])],
  );
  const ext = chains.ext('web/lb:dns', 'udp');
  assert.equal(lines(r.text, new RegExp(`^-A K8TS-NODEPORTS .*--dport 30053 -j ${ext}$`)).length, 1);
  assert.equal(lines(r.text, new RegExp(`^-A K8TS-SERVICES -d 10\\.214\\.0\\.7/32 -p udp -m udp --dport 53 .* -j ${ext}$`)).length, 1);
  assert.deepEqual(lines(r.text, new RegExp(`^-A ${ext} `)).map((l) => l.split(' -j ')[1]), ['K8TS-MARK-MASQ', chains.svc('web/lb:dns', 'udp')]);
  assert.match(r.text, /-p udp -m udp -j DNAT --to-destination 10\.213\.0\.5:5353/);
  assert.match(r.text, /-d 10\.214\.0\.0\/24 -m comment --comment "k8ts service range without a rule" -j REJECT --reject-with icmp-port-unreachable/);
});

test('externalTrafficPolicy Local keeps outside traffic on this node\'s endpoints', () => {
  const svcs = [service('loc', { type: 'NodePort', clusterIP: '10.96.0.50', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30090, protocol: 'TCP' }] })];
  const r = rulesFor(svcs, [endpoints('loc', [['10.213.0.5', 'node-a'], ['10.213.0.6', 'node-b']])]);
  const svl = chains.svl('web/loc:', 'tcp');
  const ext = chains.ext('web/loc:', 'tcp');
  assert.deepEqual(lines(r.text, new RegExp(`^-A ${ext} `)).map((l) => l.split(' -j ')[1]), ['K8TS-MARK-MASQ', chains.svc('web/loc:', 'tcp'), svl]);
  assert.match(lines(r.text, new RegExp(`^-A ${ext} `))[0]!, /--src-type LOCAL/);
  const local = lines(r.text, new RegExp(`^-A ${svl} `));
  assert.equal(local.length, 1);
  assert.equal(local[0]!.split(' -j ')[1], chains.sep('web/loc:', 'tcp', '10.213.0.5:8080'));
  // No local endpoint: outside traffic to the node port is refused.
  const none = rulesFor(svcs, [endpoints('loc', [['10.213.0.6', 'node-b']])]);
  assert.equal(lines(none.text, /has no local endpoints/).length, 1);
});

test('ClientIP affinity checks and sets a recent list per endpoint', () => {
  const r = rulesFor(
    [service('sticky', { clusterIP: '10.96.0.60', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ port: 80, protocol: 'TCP' }] })],
    [endpoints('sticky', [['10.213.0.5'], ['10.213.0.6']], [{ port: 80, protocol: 'TCP' }])],
  );
  const svc = chains.svc('web/sticky:', 'tcp');
  const svcLines = lines(r.text, new RegExp(`^-A ${svc} `));
  assert.equal(svcLines.filter((l) => /--rcheck --seconds 600 --reap/.test(l)).length, 2);
  assert.ok(svcLines.findIndex((l) => /statistic/.test(l)) > svcLines.findLastIndex((l) => /--rcheck/.test(l)));
  assert.equal(lines(r.text, /-m recent --name K8TS-SEP-\S+ --mask 255\.255\.255\.255 --rsource --set -m tcp -j DNAT/).length, 2);
});

test('headless and ExternalName Services get no rules; stale chains of ours are deleted, others left', () => {
  const r = rulesFor(
    [service('h', { clusterIP: 'None', ports: [{ port: 80 }] }), service('x', { type: 'ExternalName', externalName: 'a.b' })],
    [endpoints('h', [['10.213.0.5']], [{ port: 80, protocol: 'TCP' }])],
    { nat: ['K8TS-SERVICES', 'K8TS-SVC-OLDOLDOLDOLDOLDO', 'KUBE-SERVICES', 'K8TSX-SVC-AAAAAAAAAAAAAAAA', 'DOCKER'], filter: ['K8TS-SERVICES'] },
  );
  assert.doesNotMatch(r.text, /DNAT/);
  assert.match(r.text, /\n:K8TS-SVC-OLDOLDOLDOLDOLDO - \[0:0\]\n/);
  assert.match(r.text, /\n-X K8TS-SVC-OLDOLDOLDOLDOLDO\n/);
  assert.doesNotMatch(r.text, /KUBE-SERVICES|K8TSX|DOCKER/);
  assert.equal(buildCleanup(chains, { nat: ['K8TS-SERVICES', 'KUBE-SERVICES'], filter: [] }), '*nat\n:K8TS-SERVICES - [0:0]\n-X K8TS-SERVICES\nCOMMIT\n');
});

test('external IPs in the loopback or link-local ranges are never programmed, even when stored before validation refused them', () => {
  const sps = servicePorts([service('s', { clusterIP: '10.96.0.9', externalIPs: ['127.0.0.1', '169.254.0.9', '192.168.9.9'], ports: [{ port: 80, protocol: 'TCP' }] })], new Map());
  assert.deepEqual(sps[0].externalIPs, ['192.168.9.9']);
});
