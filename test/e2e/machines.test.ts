// `k8ts up --machines 3` end to end: three hosts on this box (a network namespace, a veth on
// the LAN bridge and a Docker engine each), nodeipam's ranges on the Nodes and the agents'
// bridges, pods spread over the machines reaching each other by pod IP without NAT (host-gw
// routes), and `k8ts down` leaving no namespace, engine, veth, bridge, route or rule. Own
// home, ports, network, subnet and node names, so it never touches another cluster here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readdirSync, readFileSync } from 'node:fs';
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
      if (cmd.includes(home) && /dockerd|containerd/.test(cmd)) out.push(`process ${d}: ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
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
    const { teardownMachines } = await import('../../packages/cli/src/machines/teardown.js');
    const { machinesLayout } = await import('../../packages/cli/src/machines/layout.js');
    const { Home, defaultConfig, networkFromSubnet } = await import('../../packages/cli/src/home.js');
    const h = new Home(home);
    await teardownMachines(machinesLayout({ ...defaultConfig, ...networkFromSubnet(`${subnet}.0.0/16`), network, nodePrefix: prefix, machines: 3 }, h), join(home, 'machines')).catch((e) => console.error(e));
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

test('k8ts down leaves no namespace, engine, veth, bridge, route or rule', { skip }, async () => {
  const before = leftovers();
  assert.ok(before.some((l) => l.startsWith('namespaces')), `the cluster's namespaces exist before down: ${before.join(', ')}`);
  await k8ts('down');
  assert.deepEqual(leftovers(), []);
  // Twice is fine (cleanup by name, nothing recorded needed).
  await k8ts('down');
});
