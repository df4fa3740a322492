// Pod-to-pod throughput across machines, as a ratio of the same pods on one machine, on a
// `k8ts up --machines 3` cluster of its own (own home, ports, network and names), for each
// pod-route mode: a busybox httpd pod on machine 1 streams 1 GiB of zeros (CGI) to wget in a
// pod on the same machine (the baseline, measured in the same run) and in a pod on machine 2
// (through the LAN: host-gw routes or VXLAN). `time` inside the client pod times each transfer,
// so kubectl's own overhead is not in the figures. Target: across/same ≥ 0.9 with host-gw.
//   node --import tsx test/bench/pod-throughput.ts [--runs 5] [--modes host-gw,vxlan]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchCli, runThenPurge } from './support/cli-cluster.js';

const run = promisify(execFile);
const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : dflt);
const RUNS = Number(arg('--runs', '5'));
const MODES = arg('--modes', 'host-gw,vxlan').split(',');
const MIB = 1024;
const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'k8ts-bench-tp-'));
const prefix = 'tp';
const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
const cli = await benchCli(env);
const kubectl = (...args: string[]) => run('kubectl', args, { cwd: root, env, timeout: 120_000, maxBuffer: 1 << 24 });
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const CGI = `#!/bin/sh\necho Content-Type: application/octet-stream\necho\nexec dd if=/dev/zero bs=1M count=${MIB} 2>/dev/null\n`;
const pod = (name: string, node: string, command: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { bench: 'tp' } },
  spec: { nodeName: `${prefix}-${node}`, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', command] }] },
});

async function apply(obj: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = execFile('kubectl', ['apply', '-f', '-'], { env, cwd: root }, (e) => (e ? reject(e) : resolve()));
    p.stdin!.end(JSON.stringify(obj));
  });
}

async function readyIp(name: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const p = JSON.parse((await kubectl('get', 'pod', name, '-o', 'json')).stdout);
    if (p.status?.phase === 'Running' && p.status.podIP) return p.status.podIP;
    if (Date.now() > deadline) throw new Error(`${name} not running: ${JSON.stringify(p.status)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** MiB/s of one 1 GiB transfer from the server to `client`, timed inside the client pod. */
async function transfer(client: string, ip: string): Promise<number> {
  const { stderr } = await run('kubectl', ['exec', client, '--', 'sh', '-c', `time wget -qO /dev/null http://${ip}:8080/cgi-bin/zero`], { env, cwd: root, timeout: 300_000 });
  const m = /real\s+(\d+)m\s*([\d.]+)s/.exec(stderr);
  if (!m) throw new Error(`no time in: ${stderr}`);
  return MIB / (Number(m[1]) * 60 + Number(m[2]));
}

async function mode(routes: string): Promise<{ same: number; across: number }> {
  await cli(
    'up', '--machines', '3', '--pod-routes', routes, '--node-prefix', prefix, '--api-port', '19543', '--grpc-port', '19544', '--etcd-port', '25379',
    '--network', 'k8ts-bench-tp', '--subnet', '10.216.0.0/16', '--service-range', '10.95.0.0/16', '--lb-pool', '10.224.0.0/24', '--ops-port-offset', '4000', '--timeout', '240',
  );
  try {
    const serve = `mkdir -p /w/cgi-bin && printf '${CGI.replace(/\n/g, '\\n')}' > /w/cgi-bin/zero && chmod +x /w/cgi-bin/zero && exec httpd -f -p 8080 -h /w`;
    await apply({ apiVersion: 'v1', kind: 'List', items: [pod('server', '1', serve), pod('same', '1', 'exec sleep 3600'), pod('across', '2', 'exec sleep 3600')] });
    const ip = await readyIp('server');
    await readyIp('same');
    await readyIp('across');
    await transfer('same', ip); // warm: the CGI's first run, caches
    const same: number[] = [];
    const across: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      same.push(await transfer('same', ip));
      across.push(await transfer('across', ip));
    }
    console.log(`  ${routes}: same machine ${same.map((x) => x.toFixed(0)).join(' ')} MiB/s; across machines ${across.map((x) => x.toFixed(0)).join(' ')} MiB/s; load ${load()}`);
    return { same: median(same), across: median(across) };
  } finally {
    // Purged: the next mode's cluster starts from an empty etcd (no stale pod statuses).
    await cli('down', '--purge').catch((e) => console.error(`down failed: ${e.message}`));
  }
}

async function main(): Promise<void> {
  await cli('images');
  console.log(`load before: ${load()}`);
  const out: [string, { same: number; across: number }][] = [];
  for (const m of MODES) out.push([m, await mode(m)]);
  console.log('');
  console.log(`pod-to-pod throughput, 1 GiB per transfer, median of ${RUNS} (same-machine pods are the baseline, measured in the same run):`);
  for (const [m, r] of out) console.log(`  ${m.padEnd(8)} same machine ${r.same.toFixed(0)} MiB/s, across machines ${r.across.toFixed(0)} MiB/s: ratio ${(r.across / r.same).toFixed(2)}${m === 'host-gw' ? ' (target >= 0.9)' : ''}`);
}

runThenPurge(main, cli, () => rmSync(home, { recursive: true, force: true }));
