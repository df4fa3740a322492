// `k8ts up --machines 3` end to end: three hosts on this box (a network namespace, a veth on
// the LAN switch and a Docker engine each), nodeipam's ranges on the Nodes and the agents'
// bridges, pods spread over the machines reaching each other by pod IP without NAT (host-gw
// routes), a Service and its NodePort through each machine's own proxy, a machine powered
// off and on, its LAN link cut and healed, and `k8ts down` leaving no namespace, engine,
// veth, bridge, route or rule. Own
// home, ports, network, subnet and node names, so it never touches another cluster here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { until } from '../support/until.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'k8ts-e2em-'));
const prefix = 'e2em';
const network = 'k8ts-e2em';
const subnet = '10.219';
// machines-vxlan.test.ts runs this file again with vxlan between the machines.
const podRoutes = process.env.K8TS_E2E_POD_ROUTES === 'vxlan' ? 'vxlan' : 'host-gw';
const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
const kubectlBin = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : 'kubectl';

const has = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = [process.getuid?.() !== 0 && 'root', !has('ip', ['-V']) && 'iproute2', !has('nsenter', ['--version']) && 'nsenter', !has('dockerd', ['--version']) && 'dockerd'].filter(Boolean);
const skip = missing.length ? `needs ${missing.join(', ')}` : false;
if (skip) console.log(`# machines e2e skipped: ${skip}`);
const registrySkip = has('docker-registry', ['--version']) ? false : 'needs docker-registry';

async function k8ts(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env, timeout: 400_000 });
  return stdout;
}
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlBin, args, { cwd: root, env, timeout: 60_000 });
  return stdout;
}
const kjson = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json'));

/** Every 500 ms: an engine or a route takes a moment, and kubectl each time is not free. */
const eventually = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, fn, timeoutMs, 500);

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base!) / size);
};

/** What this cluster may leave on the host, by its names: none of it may survive `down`. */
function leftovers(): string[] {
  const out: string[] = [];
  const netns = existsSync('/var/run/netns') ? readdirSync('/var/run/netns').filter((n) => n.startsWith(`${network}-`)) : [];
  if (netns.length) out.push(`namespaces ${netns.join(' ')}`);
  for (const d of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(home) && /dockerd|containerd|docker-registry/.test(cmd)) out.push(`process ${d}: ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      /* gone */
    }
  }
  const tag = tagOf();
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(` ${tag}-`));
  if (links.length) out.push(`links ${links.map((l) => l.split(':')[1]).join(' ')}`);
  const routes = execFileSync('ip', ['route', 'show'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`${subnet}.`));
  if (routes.length) out.push(`routes ${routes.join('; ')}`);
  const rules = execFileSync('iptables-save', [], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`k8ts-machines:${tag}`));
  if (rules.length) out.push(`rules ${rules.join('; ')}`);
  if (existsSync(join(home, 'machines'))) out.push('the machines folder');
  return out;
}

/** The cluster's 4-character tag (packages/cli/src/home.ts chainPrefix). */
function tagOf(): string {
  let h = 0;
  for (const ch of network) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `K${h.toString(36).toUpperCase().padStart(3, '0').slice(-3)}`.toLowerCase();
}

let upSeconds = 0;

before(async () => {
  if (skip) return;
  const t0 = Date.now();
  await k8ts(
    'up', '--machines', '3', '--node-prefix', prefix,
    '--api-port', '17543', '--grpc-port', '17544', '--etcd-port', '23379',
    '--network', network, '--subnet', `${subnet}.0.0/16`, '--service-range', '10.99.0.0/16', '--lb-pool', '10.220.0.0/24',
    '--ops-port-offset', '2000', '--timeout', '240', '--pod-routes', podRoutes,
  );
  upSeconds = (Date.now() - t0) / 1000;
  console.log(`# k8ts up --machines 3 (${podRoutes}): ${upSeconds.toFixed(1)} s (load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
});

after(async () => {
  if (skip) return;
  // down is idempotent: a test that failed half-way still leaves nothing behind.
  await k8ts('down', '--purge').catch((e) => console.error(e));
  // Should the CLI itself have failed: the machines' teardown by name, straight from its module.
  if (leftovers().length) {
    const { listProcesses, stopProcess } = await import('../../packages/cli/src/processes.js');
    const { Home: H } = await import('../../packages/cli/src/home.js');
    for (const name of listProcesses(new H(home))) await stopProcess(new H(home), name).catch(() => undefined);
    const { teardownMachines } = await import('../../packages/cli/src/machines/teardown.js');
    const { machinesLayout } = await import('../../packages/cli/src/machines/layout.js');
    const { Home, defaultConfig, networkFromSubnet } = await import('../../packages/cli/src/home.js');
    const h = new Home(home);
    await teardownMachines(machinesLayout({ ...defaultConfig, ...networkFromSubnet(`${subnet}.0.0/16`), network, nodePrefix: prefix, machines: 4 }, h), join(home, 'machines')).catch((e) => console.error(e));
    const left = leftovers();
    if (left.length) console.error(`left behind: ${left.join(', ')}`);
  }
});

test('three machines: each node has its own podCIDR and its machine\'s LAN address', { skip }, async () => {
  const nodes = (await kjson('get', 'nodes')).items as any[];
  assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
  // Still Ready a moment after `up`: every agent outlived nodeipam's write to its Node.
  await new Promise((r) => setTimeout(r, 3000));
  for (const n of (await kjson('get', 'nodes')).items as any[]) assert.ok(n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'), `${n.metadata.name} Ready`);
  for (const n of nodes) assert.equal(existsSync(`/proc/${readFileSync(join(home, 'pids', `${n.metadata.name}.pid`), 'utf8').trim()}`), true, `the agent of ${n.metadata.name} runs`);
  const cidrs = nodes.map((n) => n.spec.podCIDR as string);
  assert.equal(new Set(cidrs).size, 3, `distinct ranges: ${cidrs}`);
  for (const n of nodes) {
    assert.ok(inCidr(n.spec.podCIDR.split('/')[0], `${subnet}.128.0/18`), n.spec.podCIDR);
    assert.deepEqual(n.spec.podCIDRs, [n.spec.podCIDR]);
    const ip = n.status.addresses.find((a: any) => a.type === 'InternalIP').address;
    assert.equal(ip, `${subnet}.255.${10 + Number(n.metadata.name.split('-').pop())}`);
  }
  // The routes to the other machines' pods are of the mode asked for.
  const routes = await eventually('routes to the 2 other machines', async () => {
    const out = execFileSync('nsenter', [`--net=/var/run/netns/${network}-${prefix}-1`, 'ip', 'route', 'show', 'proto', '203'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    return out.length === 2 ? out : undefined;
  }, 60_000);
  for (const r of routes) assert.match(r, podRoutes === 'vxlan' ? /dev k8ts\.1 .*onlink/ : new RegExp(`via ${subnet.replace('.', '\\.')}\\.255\\.1[23] dev eth0`), r);
  // The host, on the LAN but no node, has a route to every node's pods (podnet-host).
  const hostRoutes = await eventually('host routes to the 3 nodes\' pods', async () => {
    const out = execFileSync('ip', ['route', 'show', 'proto', '203'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`${subnet}.255.`));
    return out.length === 3 ? out : undefined;
  }, 60_000);
  for (const n of nodes) assert.ok(hostRoutes.some((r) => r.startsWith(`${n.spec.podCIDR} via ${subnet}.255.${10 + Number(n.metadata.name.split('-').pop())}`)), `${hostRoutes}`);
  // The LAN is a switch in a namespace of its own: the machines' ports and the host's on one
  // bridge, bridge netfilter off there, so frames between machines pass no host's iptables.
  const inSwitch = (...a: string[]) => execFileSync('nsenter', [`--net=/var/run/netns/${network}-lan`, ...a], { encoding: 'utf8' });
  const ports = inSwitch('ip', '-o', 'link', 'show', 'master', 'lan').split('\n').map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1]).filter(Boolean).sort();
  assert.deepEqual(ports, ['host', `${tagOf()}-m1`, `${tagOf()}-m2`, `${tagOf()}-m3`]);
  assert.equal(inSwitch('sh', '-c', 'cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 0').trim(), '0');
  assert.match(execFileSync('ip', ['-d', '-o', 'link', 'show', `${tagOf()}-lan`], { encoding: 'utf8' }), /\bveth\b/, 'the host\'s LAN link is a veth');
  // RSS of the machines' engines (dockerd, its containerd and shims), for the report.
  let rss = 0;
  let cpuTicks = 0;
  for (const d of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!(cmd.includes(`/run/k8ts-${tagOf()}-m`) || (cmd.includes(join(home, 'machines')) && cmd.includes('dockerd')))) continue;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m) rss += Number(m[1]);
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  console.log(`# the 3 machines' engines (dockerd, containerd, shims): RSS ${(rss / 1024).toFixed(0)} MiB, CPU ${(cpuTicks / 100).toFixed(1)} s since they started`);
});

test('pods spread over the three machines reach each other by pod IP, without NAT', { skip }, async () => {
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: 'default' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'hello' } },
          template: {
            metadata: { labels: { app: 'hello' } },
            spec: {
              affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'hello' } }, topologyKey: 'kubernetes.io/hostname' }] } },
              containers: [{ name: 'hello', image: 'k8ts/hello:1.0', ports: [{ containerPort: 8080 }] }],
            },
          },
        },
      },
      {
        // Answers with the address the request came from (busybox httpd's CGI REMOTE_ADDR).
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'whoami', namespace: 'default' },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': `${prefix}-3` },
          containers: [{
            name: 'whoami',
            image: 'k8ts/busybox:1.36',
            command: ['sh', '-c', 'mkdir -p /w/cgi-bin && printf \'#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "$REMOTE_ADDR"\\n\' > /w/cgi-bin/ip && chmod +x /w/cgi-bin/ip && exec httpd -f -p 8080 -h /w'],
          }],
        },
      },
    ],
  };
  const { execFile: ef } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const p = ef(kubectlBin, ['apply', '-f', '-'], { env, cwd: root }, (e) => (e ? reject(e) : resolve()));
    p.stdin!.end(JSON.stringify(manifest));
  });
  const ready = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const pods = await eventually('3 ready hello pods on 3 nodes', async () => {
    const r = ((await kjson('get', 'pods', '-l', 'app=hello')).items as any[]).filter(ready);
    return r.length === 3 && new Set(r.map((p) => p.spec.nodeName)).size === 3 ? r : undefined;
  }, 180_000);
  const nodes = new Map(((await kjson('get', 'nodes')).items as any[]).map((n) => [n.metadata.name, n]));
  for (const p of pods) assert.ok(inCidr(p.status.podIP, nodes.get(p.spec.nodeName).spec.podCIDR), `${p.metadata.name} ${p.status.podIP} in ${p.spec.nodeName}'s range`);

  for (const from of pods)
    for (const to of pods) {
      if (from === to) continue;
      const body = await eventually(`${from.spec.nodeName} → ${to.spec.nodeName}`, async () => kubectl('exec', from.metadata.name, '--', 'timeout', '5', 'wget', '-qO-', `http://${to.status.podIP}:8080/`), 30_000);
      assert.match(body, new RegExp(`hello from ${to.metadata.name} \\(${to.status.podIP.replace(/\./g, '\\.')}\\)`));
    }

  // Cluster DNS (the host's dns at the control plane's bridge) answers from every machine.
  for (const p of pods) {
    const out = await eventually(`DNS from ${p.spec.nodeName}`, async () => kubectl('exec', p.metadata.name, '--', 'nslookup', 'kubernetes.default.svc.cluster.local'), 30_000);
    assert.match(out, /Address:\s*10\.99\.0\.1/, out);
  }

  const whoami = await eventually('whoami ready', async () => {
    const p = await kjson('get', 'pod', 'whoami');
    return ready(p) ? p : undefined;
  }, 120_000);
  const client = pods.find((p: any) => p.spec.nodeName !== `${prefix}-3`)!;
  const seen = await eventually('whoami answers', async () => kubectl('exec', client.metadata.name, '--', 'timeout', '5', 'wget', '-qO-', `http://${whoami.status.podIP}:8080/cgi-bin/ip`), 30_000);
  // httpd listens on IPv6 too and names IPv4 peers as [::ffff:a.b.c.d].
  assert.equal(seen.trim().replace(/^\[::ffff:(.*)\]$/, '$1'), client.status.podIP, 'the server sees the client pod\'s own address (no NAT between machines)');
});

/** Waits until the node's Ready condition is (or is no longer) True. */
const nodeReadyIs = (node: string, ready: boolean) =>
  eventually(`${node} ${ready ? 'Ready' : 'NotReady'}`, async () => {
    const n = await kjson('get', 'node', node);
    return n.status.conditions.some((c: any) => c.type === 'Ready' && (c.status === 'True') === ready);
  }, 60_000);

/** GETs through `curl` on the host (the host reaches each machine's LAN address). */
async function curlHost(url: string): Promise<string> {
  const { stdout } = await run('curl', ['-s', '--max-time', '3', url], { timeout: 10_000 });
  return stdout;
}

/** The pods behind answers, gathered from `tries` requests made by `ask`. */
async function answeredBy(ask: () => Promise<string>, tries: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const m = /hello from (\S+)/.exec(await ask().catch(() => ''));
    if (m) seen.add(m[1]!);
  }
  return seen;
}

test('a Service spreads over pods on all three machines, from a pod on each; its NodePort answers on every machine\'s address', { skip }, async () => {
  await kubectl('expose', 'deployment', 'hello', '--name', 'hello', '--port', '80', '--target-port', '8080', '--type', 'NodePort');
  const svc = await kjson('get', 'svc', 'hello');
  const nodePort: number = svc.spec.ports[0].nodePort;
  const pods = ((await kjson('get', 'pods', '-l', 'app=hello')).items as any[]);
  const names = pods.map((p) => p.metadata.name).sort();
  // From a pod on each machine (its proxy's rules in that machine's namespace), by name through the cluster DNS.
  for (const from of pods) {
    const seen = await eventually(`${from.spec.nodeName}: the Service reaches all three pods`, async () => {
      const s = await answeredBy(() => kubectl('exec', from.metadata.name, '--', 'timeout', '3', 'wget', '-qO-', 'http://hello.default.svc.cluster.local/'), 12);
      return s.size === 3 ? s : undefined;
    }, 60_000);
    assert.deepEqual([...seen].sort(), names);
  }
  // From the host to each machine's own address: that machine's node port, to pods anywhere.
  for (const i of [1, 2, 3]) {
    const url = `http://${subnet}.255.${10 + i}:${nodePort}/`;
    const seen = await eventually(`NodePort on machine ${i}`, async () => {
      const s = await answeredBy(() => curlHost(url), 12);
      return s.size === 3 ? s : undefined;
    }, 60_000);
    assert.deepEqual([...seen].sort(), names, url);
  }
  // Each machine runs a proxy of its own, inside its namespace.
  for (const i of [1, 2, 3]) {
    const pid = readFileSync(join(home, 'pids', `proxy-${prefix}-${i}.pid`), 'utf8').trim();
    assert.equal(readlinkSync(`/proc/${pid}/ns/net`), readlinkSync(`/proc/${readFileSync(join(home, 'machines', `${prefix}-${i}`, 'docker.pid'), 'utf8').trim()}/ns/net`), `proxy-${prefix}-${i} in machine ${i}'s namespace`);
  }
});

test('a Node arriving with a podCIDR another node holds: NetworkUnavailable naming the holder, a Warning event, the network-unavailable taint; no machine routes to it; deleting it changes no route', { skip }, async () => {
  const holder = `${prefix}-1`;
  const held = (await kjson('get', 'node', holder)).spec.podCIDR as string;
  const routesTo = (ns: string | undefined) =>
    (ns ? execFileSync('nsenter', [`--net=/var/run/netns/${ns}`, 'ip', 'route', 'show', 'proto', '203'], { encoding: 'utf8' }) : execFileSync('ip', ['route', 'show', 'proto', '203'], { encoding: 'utf8' }))
      .split('\n')
      .filter((l) => l.startsWith(`${held} `));
  const before = [routesTo(`${network}-${prefix}-2`), routesTo(`${network}-${prefix}-3`), routesTo(undefined)];
  for (const r of before) assert.equal(r.length, 1, `one route to ${held}: ${r}`);
  const ghost = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ghost', labels: { 'kubernetes.io/hostname': 'ghost' } }, spec: { podCIDR: held, podCIDRs: [held] } };
  const { execFile: ef } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const p = ef(kubectlBin, ['create', '-f', '-'], { env, cwd: root }, (e) => (e ? reject(e) : resolve()));
    p.stdin!.end(JSON.stringify(ghost));
  });
  try {
    // An address on the LAN, as a machine of its own would report: it must not win the route.
    await kubectl('patch', 'node', 'ghost', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: `${subnet}.255.99` }] } }));
    const cond = await eventually('ghost NetworkUnavailable', async () => {
      const n = await kjson('get', 'node', 'ghost');
      return (n.status.conditions ?? []).find((c: any) => c.type === 'NetworkUnavailable' && c.status === 'True');
    }, 30_000);
    assert.equal(cond.reason, 'NoRouteCreated');
    assert.equal(cond.message, `podCIDR ${held} overlaps ${held}, which node ${holder} holds: no route is made to this node's pods`);
    await eventually('the network-unavailable taint', async () => ((await kjson('get', 'node', 'ghost')).spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/network-unavailable' && t.effect === 'NoSchedule'), 30_000);
    const events = await eventually('a PodCIDROverlap event', async () => ((await kjson('get', 'events', '--field-selector', 'involvedObject.name=ghost')).items as any[]).find((e) => e.reason === 'PodCIDROverlap'), 30_000);
    assert.equal(events.type, 'Warning');
    // kubectl describe shows it where a user looks.
    assert.match(await kubectl('describe', 'node', 'ghost'), /NetworkUnavailable\s+True.*NoRouteCreated/);
    // podnet syncs within 50 ms of every Node event (the ghost's create, status and taint made
    // three by now): a few seconds later the routes are still the holder's.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual([routesTo(`${network}-${prefix}-2`), routesTo(`${network}-${prefix}-3`), routesTo(undefined)], before);
  } finally {
    await kubectl('delete', 'node', 'ghost', '--wait=true');
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual([routesTo(`${network}-${prefix}-2`), routesTo(`${network}-${prefix}-3`), routesTo(undefined)], before);
  assert.equal(((await kjson('get', 'nodes')).items as any[]).some((n) => n.metadata.name === 'ghost'), false);
});

test('`k8ts chaos kill-node` powers a machine off: its replicas move while the Service answers; `restart` brings it back with no stale pod or route', { skip: skip || (podRoutes === 'vxlan' ? 'machine faults are run with host-gw' : false) }, async (t) => {
  const victim = `${prefix}-2`;
  const svc = await kjson('get', 'svc', 'hello');
  const url = `http://${subnet}.255.11:${svc.spec.ports[0].nodePort}/`;
  // Should a check below fail, the machine is powered on again for the tests after this one.
  let poweredOn = false;
  t.after(async () => void (poweredOn || (await k8ts('chaos', 'restart', victim).catch(() => undefined))));
  const out = await k8ts('chaos', 'kill-node', victim);
  assert.match(out, new RegExp(`machine ${victim} lost`));
  // A real power loss: no engine of that machine is left.
  // (A zombie until init reaps it: dead all the same.)
  const dockerd = readFileSync(join(home, 'machines', victim, 'docker.pid'), 'utf8').trim();
  const state = existsSync(`/proc/${dockerd}/stat`) ? readFileSync(`/proc/${dockerd}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
  assert.ok(state === 'gone' || state === 'Z', `its dockerd is dead (state ${state})`);
  // hello has anti-affinity over three nodes: its third replica waits while the machine is
  // down; the Service keeps answering from the two on the machines that are up.
  await nodeReadyIs(victim, false);
  await eventually('its pod evicted', async () => {
    const pods = (await kjson('get', 'pods', '-l', 'app=hello')).items as any[];
    return !pods.some((p) => p.spec.nodeName === victim && !p.metadata.deletionTimestamp) ? pods : undefined;
  }, 60_000);
  const during = await answeredBy(() => curlHost(url), 10);
  assert.ok(during.size >= 1, 'the Service answers through machine 1 while machine 2 is off');
  // A route it kept while it was off to a node that is no longer there (podnet's protocol, as
  // podnet would have made it): the machine comes back with it, and podnet removes it.
  const stale = `${subnet}.191.0/24`;
  const inVictim = (...a: string[]) => execFileSync('nsenter', [`--net=/var/run/netns/${network}-${victim}`, 'ip', 'route', ...a], { encoding: 'utf8' });
  inVictim('add', stale, 'via', `${subnet}.255.98`, 'dev', 'eth0', 'proto', '203');
  assert.match(inVictim('show', 'proto', '203'), new RegExp(stale.replace(/\./g, '\\.')));
  const restarted = await k8ts('chaos', 'restart', victim);
  poweredOn = true;
  assert.match(restarted, new RegExp(`powered on ${victim}`));
  const pods = await eventually('3 ready hello pods on 3 nodes again', async () => {
    const r = ((await kjson('get', 'pods', '-l', 'app=hello')).items as any[]).filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return r.length === 3 && new Set(r.map((p) => p.spec.nodeName)).size === 3 ? r : undefined;
  }, 120_000);
  // The machine's engine runs only the pods bound to it now: the lost one's containers are gone.
  const mine = pods.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.uid);
  await eventually(`${victim}'s engine holds only its current pods`, async () => {
    const { stdout } = await run('docker', ['-H', `unix://${join(home, 'machines', victim, 'docker.sock')}`, 'ps', '-a', '--format', '{{.Label "io.kubernetes.pod.uid"}}']);
    const uids = new Set(stdout.split('\n').filter(Boolean));
    return [...uids].every((u) => mine.includes(u)) ? uids : undefined;
  }, 60_000);
  await eventually('the stale route removed by podnet', async () => !inVictim('show', 'proto', '203').includes(stale.split('/')[0]!), 30_000);
  assert.equal(inVictim('show', 'proto', '203').trim().split('\n').length, 2, 'a route to each of the two other machines, and no other');
});

test('`k8ts chaos partition` cuts a machine\'s LAN link: NotReady, its pod moves; `heal` leaves no duplicate', { skip: skip || (podRoutes === 'vxlan' ? 'machine faults are run with host-gw' : false) }, async () => {
  const victim = `${prefix}-3`;
  // whoami (bound to the machine by nodeSelector) is unreachable with it.
  const whoami = await kjson('get', 'pod', 'whoami');
  const out = await k8ts('chaos', 'partition', victim);
  assert.match(out, /LAN link .* is down/);
  assert.match(await k8ts('status'), new RegExp(`${victim} .*partitioned`));
  // Its pods cannot be reached from the other machines.
  const client = ((await kjson('get', 'pods', '-l', 'app=hello')).items as any[]).find((p) => p.spec.nodeName === `${prefix}-1`);
  await assert.rejects(kubectl('exec', client.metadata.name, '--', 'timeout', '2', 'wget', '-qO-', `http://${whoami.status.podIP}:8080/cgi-bin/ip`), 'whoami on the cut machine cannot be reached');
  await nodeReadyIs(victim, false);
  await eventually('its hello pod marked for deletion', async () => {
    const pods = (await kjson('get', 'pods', '-l', 'app=hello')).items as any[];
    return pods.some((p) => p.spec.nodeName === victim && p.metadata.deletionTimestamp) || !pods.some((p) => p.spec.nodeName === victim);
  }, 60_000);
  assert.match(await k8ts('chaos', 'heal', victim), /is up again/);
  await nodeReadyIs(victim, true);
  // The agent, back in touch, removes what was deleted while it was away: one pod per replica.
  const pods = await eventually('3 hello pods, none left over', async () => {
    const all = (await kjson('get', 'pods', '-l', 'app=hello')).items as any[];
    const ready = all.filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return all.length === 3 && ready.length === 3 ? all : undefined;
  }, 120_000);
  assert.equal(new Set(pods.map((p) => p.spec.nodeName)).size, 3);
});

test('an image pushed with `k8ts images push` runs on every machine, each engine pulling it (:latest) through the cluster registry', { skip: skip || registrySkip || (podRoutes === 'vxlan' ? 'run with host-gw' : false) }, async () => {
  const Docker = (await import('dockerode')).default;
  const docker = new Docker();
  const image = `${prefix}/pushed:latest`;
  await docker.getImage('k8ts/hello:1.0').tag({ repo: `${prefix}/pushed`, tag: 'latest' });
  try {
    assert.match(await k8ts('images', 'push', image), /pushed e2em\/pushed:latest as 127\.0\.0\.1:7000\/e2em\/pushed:latest/);
  } finally {
    // Only the registry has it now: the machines cannot have it from anywhere else.
    await docker.getImage(image).remove({ noprune: true });
  }
  const names = [1, 2, 3].map((i) => `pushed-${i}`);
  for (const [i, name] of names.entries()) await kubectl('run', name, `--image=${prefix}/pushed`, '--restart=Never', '--overrides', JSON.stringify({ spec: { nodeName: `${prefix}-${i + 1}` } }), '--command', '--', 'sleep', '3600');
  const hello = (await docker.getImage('k8ts/hello:1.0').inspect()).Id;
  for (const name of names) {
    const p = await eventually(`${name} Running`, async () => {
      const p = await kjson('get', 'pod', name);
      return p.status?.phase === 'Running' && p;
    }, 120_000);
    assert.equal(p.status.containerStatuses[0].imageID, `docker://${hello}`);
    const events = (await kjson('get', 'events', '--field-selector', `involvedObject.name=${name}`)).items as any[];
    assert.ok(events.some((e) => e.reason === 'Pulled'), `${name}: ${events.map((e) => e.message).join('; ')}`);
  }
  await kubectl('delete', 'pod', ...names, '--wait=false');
});

test('a fourth machine joins with `k8ts token create --print-join-command` and runs pods; bad tokens and a wrong CA hash are refused, nothing started', { skip: skip || (podRoutes === 'vxlan' ? 'joining is run with host-gw' : false) }, async () => {
  // The fourth host as `up --machines` makes them (namespace, veth on the LAN, engine, images):
  // what another box on the same LAN would be.
  const { Home } = await import('../../packages/cli/src/home.js');
  const { machinesLayout } = await import('../../packages/cli/src/machines/layout.js');
  const { ensureMachine, loadImages } = await import('../../packages/cli/src/machines/setup.js');
  const h = new Home(home);
  const l = machinesLayout(h.readConfig()!, h, 4);
  const m4 = l.machines[3]!;
  await ensureMachine(l, m4);
  // With the cluster registry its engine pulls the images through it (the join settings name it).
  const { registryInstalled } = await import('../../packages/cli/src/registry/process.js');
  const { clusterImageTags } = await import('../../packages/cli/src/images/build.js');
  if (!registryInstalled()) await loadImages([m4], clusterImageTags(), join(home, 'machines', 'images-4.tar'));
  const home4 = mkdtempSync(join(tmpdir(), 'k8ts-e2em-join-'));
  const joinOn4 = (...args: string[]) =>
    run('nsenter', [`--net=${m4.nsPath}`, process.execPath, '--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env: { ...env, K8TS_HOME: home4 }, timeout: 200_000 });
  try {
    const line = (await k8ts('token', 'create', '--print-join-command')).trim();
    const m = /^k8ts join --server (\S+) --token (\S+) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})$/.exec(line);
    assert.ok(m, line);
    const [, server, token, hash] = m!;
    assert.equal(server, `${subnet}.255.1:17544`);
    const local = ['--node-name', `${prefix}-4`, '--node-ip', m4.lanIP, '--docker-socket', m4.socket, '--timeout', '150'];
    // Bad input: each refused with a plain message, and nothing left running.
    const refused = async (args: string[], why: RegExp, rest = local) => {
      const r = await joinOn4('join', ...args, ...rest).then(() => undefined, (e: Error & { stderr?: string }) => e.stderr ?? e.message);
      assert.ok(r, `refused: ${args.join(' ')}`);
      assert.match(r!, why);
      assert.deepEqual(existsSync(join(home4, 'pids')) ? readdirSync(join(home4, 'pids')).filter((f) => f.endsWith('.pid')) : [], [], 'nothing started');
    };
    await refused(['--server', server!, '--token', token!, '--discovery-token-ca-cert-hash', `sha256:${'0'.repeat(64)}`], /does not match --discovery-token-ca-cert-hash/);
    await refused(['--server', server!, '--token', 'abcdef.0123456789abcdef', '--discovery-token-ca-cert-hash', hash!], /join settings with the bootstrap token: .*(Unauthorized|401)/i);
    await refused(['--server', server!, '--token', 'not-a-token', '--discovery-token-ca-cert-hash', hash!], /--token must be a bootstrap token/);
    await refused(['--server', server!, '--token', token!, '--discovery-token-ca-cert-hash', 'md5:abc'], /--discovery-token-ca-cert-hash must be sha256/);
    await refused(['--server', server!, '--token', token!, '--discovery-token-ca-cert-hash', hash!], /--node-name "under_score\.-x" is not a valid node name/, ['--node-name', 'under_score.-x', ...local.slice(2)]);

    const out = (await joinOn4('join', '--server', server!, '--token', token!, '--discovery-token-ca-cert-hash', hash!, ...local)).stdout;
    assert.match(out, new RegExp(`node ${prefix}-4 is Ready`));
    const node = await kjson('get', 'node', `${prefix}-4`);
    assert.ok(inCidr(node.spec.podCIDR.split('/')[0], `${subnet}.128.0/18`), node.spec.podCIDR);
    // Its identity came from a CSR its bootstrap token made, approved by the controller-manager.
    const csrs = ((await kjson('get', 'csr')).items as any[]).filter((c) => c.spec.username === `system:bootstrap:${token!.split('.')[0]}`);
    assert.equal(csrs.length, 1);
    assert.ok(csrs[0].status.conditions.some((c: any) => c.type === 'Approved'));
    for (const f of readdirSync(join(home4, 'pki', 'node'))) assert.equal(statSync(join(home4, 'pki', 'node', f)).mode & 0o077, 0, `${f} is private`);
    // Its proxy runs as the kube-proxy service account (not as the node) and has its rules in sync.
    assert.match(out, /proxy-e2em-4 started as kube-system\/k8ts-podnet and kube-system\/kube-proxy|started as kube-system\/k8ts-podnet and kube-system\/kube-proxy/);
    await eventually('the joined host\'s proxy in sync', async () => readFileSync(join(home4, 'logs', `proxy-${prefix}-4.log`), 'utf8').includes('rules in sync'), 60_000);
    const logs = readdirSync(join(home4, 'logs')).map((f) => readFileSync(join(home4, 'logs', f), 'utf8')).join('\n');
    assert.ok(!logs.includes(token!.split('.')[1]!), 'the bootstrap token is never logged');

    // A pod on the new machine, reached by pod IP from a pod on machine 1.
    await kubectl('run', 'on-four', '--image', 'k8ts/hello:1.0', '--port', '8080', '--overrides', JSON.stringify({ spec: { nodeSelector: { 'kubernetes.io/hostname': `${prefix}-4` } } }));
    const pod = await eventually('on-four Running on machine 4', async () => {
      const p = await kjson('get', 'pod', 'on-four');
      return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
    }, 90_000);
    assert.ok(inCidr(pod.status.podIP, node.spec.podCIDR), pod.status.podIP);
    const client = ((await kjson('get', 'pods', '-l', 'app=hello')).items as any[]).find((p) => p.spec.nodeName === `${prefix}-1`);
    const body = await eventually('machine 1 → machine 4', async () => kubectl('exec', client.metadata.name, '--', 'timeout', '3', 'wget', '-qO-', `http://${pod.status.podIP}:8080/`), 60_000);
    assert.match(body, /hello from on-four/);
    await kubectl('delete', 'pod', 'on-four', '--wait=false');
  } finally {
    // `k8ts down` on the joined host: its processes and the node's containers go; the machine
    // itself goes with the cluster's own `down` (machine 4 is named as `up` would name it).
    await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'down', '--purge'], { cwd: root, env: { ...env, K8TS_HOME: home4 }, timeout: 120_000 }).catch((e) => console.error(e));
    await kubectl('delete', 'node', `${prefix}-4`, '--ignore-not-found').catch(() => undefined);
  }
  assert.equal(existsSync(home4), false);
});

test('k8ts down leaves no namespace, engine, veth, bridge, route or rule', { skip }, async () => {
  const before = leftovers();
  assert.ok(before.some((l) => l.startsWith('namespaces')), `the cluster's namespaces exist before down: ${before.join(', ')}`);
  await k8ts('down');
  assert.deepEqual(leftovers(), []);
  // Twice is fine (cleanup by name, nothing recorded needed).
  await k8ts('down');
});
