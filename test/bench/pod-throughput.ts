// Pod-to-pod throughput across machines, as a ratio of the same pods on one machine, on a
// `k8ts up --machines 3` cluster of its own (own home, ports, network and names), for each
// pod-route mode. A server pod on machine 1; client pods on the same machine (the baseline,
// measured in the same run) and on machine 2 (through the LAN: host-gw routes or VXLAN);
// same and across alternate. Two tools, each timed inside the client pod (kubectl's own
// overhead is not in the figures):
//   iperf3   — `iperf3 -c` for 5 s (the first second, slow start, left out): what CNI
//              benchmarks measure pod-to-pod throughput with. Target: across/same ≥ 0.9 with host-gw.
//   httpd    — busybox httpd streams 1 GiB of zeros (CGI through a pipe) to busybox wget. Its
//              copy loop sends each 4–8 KB alone, so it measures the path's cost per packet,
//              which on one box is spent on the same two cores as the transfer itself.
// Needs iperf3 on the host (apt-get install -y iperf3): the image is built from it.
//   node --import tsx test/bench/pod-throughput.ts [--runs 7] [--modes host-gw,vxlan]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchCli, runThenPurge } from './support/cli-cluster.js';
import { buildIperf3Image } from './support/iperf3-image.js';

const run = promisify(execFile);
const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : dflt);
const RUNS = Number(arg('--runs', '7'));
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
const IPERF3_PORT = 5201;
let image = '';
const pod = (name: string, node: string, command: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { bench: 'tp' } },
  spec: { nodeName: `${prefix}-${node}`, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image, command: ['sh', '-c', command] }] },
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

/** MiB/s of one 1 GiB transfer from the server's httpd to `client`'s wget, timed inside the client pod. */
async function httpTransfer(client: string, ip: string): Promise<number> {
  const { stderr } = await run('kubectl', ['exec', client, '--', 'sh', '-c', `time wget -qO /dev/null http://${ip}:8080/cgi-bin/zero`], { env, cwd: root, timeout: 300_000 });
  const m = /real\s+(\d+)m\s*([\d.]+)s/.exec(stderr);
  if (!m) throw new Error(`no time in: ${stderr}`);
  return MIB / (Number(m[1]) * 60 + Number(m[2]));
}

/** MiB/s the server's iperf3 received from `client` over 5 s, slow start left out. */
async function iperf3(client: string, ip: string): Promise<number> {
  const { stdout } = await run('kubectl', ['exec', client, '--', 'iperf3', '-c', ip, '-p', String(IPERF3_PORT), '-t', '5', '-O', '1', '-J'], { env, cwd: root, timeout: 120_000, maxBuffer: 1 << 24 });
  const bps = JSON.parse(stdout).end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Error(`no throughput in iperf3's answer: ${stdout.slice(0, 500)}`);
  return bps / 8 / (1024 * 1024);
}

type Figures = { same: number[]; across: number[] };
const ratio = (f: Figures) => median(f.across) / median(f.same);

async function mode(routes: string): Promise<{ iperf3: Figures; httpd: Figures }> {
  await cli(
    'up', '--machines', '3', '--pod-routes', routes, '--node-prefix', prefix, '--api-port', '19543', '--grpc-port', '19544', '--etcd-port', '25379',
    '--network', 'k8ts-bench-tp', '--subnet', '10.216.0.0/16', '--service-range', '10.95.0.0/16', '--lb-pool', '10.224.0.0/24', '--ops-port-offset', '4000', '--timeout', '240',
  );
  try {
    // Each machine's engine pulls it through the cluster registry, as it pulls the cluster's images.
    await cli('images', 'push', image);
    const serve = `mkdir -p /w/cgi-bin && printf '${CGI.replace(/\n/g, '\\n')}' > /w/cgi-bin/zero && chmod +x /w/cgi-bin/zero && httpd -p 8080 -h /w && exec iperf3 -s -p ${IPERF3_PORT}`;
    await apply({ apiVersion: 'v1', kind: 'List', items: [pod('server', '1', serve), pod('same', '1', 'exec sleep 3600'), pod('across', '2', 'exec sleep 3600')] });
    const ip = await readyIp('server');
    await readyIp('same');
    await readyIp('across');
    await httpTransfer('same', ip); // warm: the CGI's first run, caches
    const out = { iperf3: { same: [], across: [] } as Figures, httpd: { same: [], across: [] } as Figures };
    for (const [tool, measure] of [['iperf3', iperf3], ['httpd', httpTransfer]] as const) {
      for (let i = 0; i < RUNS; i++) {
        out[tool].same.push(await measure('same', ip));
        out[tool].across.push(await measure('across', ip));
      }
      const f = out[tool];
      console.log(`  ${routes}, ${tool}: same machine ${f.same.map((x) => x.toFixed(0)).join(' ')} MiB/s; across machines ${f.across.map((x) => x.toFixed(0)).join(' ')} MiB/s; load ${load()}`);
    }
    return out;
  } finally {
    // Purged: the next mode's cluster starts from an empty etcd (no stale pod statuses).
    await cli('down', '--purge').catch((e) => console.error(`down failed: ${e.message}`));
  }
}

async function main(): Promise<void> {
  await cli('images');
  image = buildIperf3Image();
  console.log(`load before: ${load()}`);
  const out: [string, Awaited<ReturnType<typeof mode>>][] = [];
  for (const m of MODES) out.push([m, await mode(m)]);
  console.log('');
  console.log(`pod-to-pod throughput, median of ${RUNS} alternating pairs (same-machine pods are the baseline, measured in the same run):`);
  for (const [m, r] of out) {
    const line = (tool: string, f: Figures, note: string) =>
      console.log(`  ${m.padEnd(8)} ${tool.padEnd(7)} same machine ${median(f.same).toFixed(0).padStart(5)} MiB/s, across machines ${median(f.across).toFixed(0).padStart(5)} MiB/s: ratio ${ratio(f).toFixed(2)}${note}`);
    line('iperf3', r.iperf3, m === 'host-gw' ? ' (target >= 0.9)' : '');
    line('httpd', r.httpd, ' (1 GiB through busybox httpd and wget, per-packet bound)');
  }
}

runThenPurge(main, cli, () => rmSync(home, { recursive: true, force: true }));
