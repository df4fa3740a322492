// Docker fixtures for the proxy/dns/bench suites: a network of their own, small HTTP
// servers (busybox httpd answering with their name) and a shell container as client.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

export function sh(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** k8ts/busybox when deploy/images built it, otherwise a scratch image from the host's static busybox. */
export async function busyboxImage(): Promise<string> {
  const have = (await sh('docker', ['images', '-q', 'k8ts/busybox:latest'])).trim();
  if (have) return 'k8ts/busybox:latest';
  const own = 'k8ts-test/busybox:latest';
  if ((await sh('docker', ['images', '-q', own])).trim()) return own;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bb-'));
  try {
    await sh('cp', ['-L', '/bin/busybox', join(dir, 'busybox')]);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/www"]\nENV PATH=/bin\nCMD ["sh"]\n');
    await sh('docker', ['build', '-q', '-t', own, dir], { timeoutMs: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return own;
}

export class NetFixture {
  readonly containers: string[] = [];
  constructor(
    readonly network: string,
    readonly subnet: string,
    readonly image: string,
  ) {}

  static async create(subnet: string): Promise<NetFixture> {
    const name = `k8ts-ptest-${Math.random().toString(36).slice(2, 8)}`;
    const image = await busyboxImage();
    await sh('docker', ['network', 'create', '--driver', 'bridge', '--subnet', subnet, name]);
    return new NetFixture(name, subnet, image);
  }

  /** Starts busybox httpd on :port answering GET / with `name`. Returns its IP. */
  async httpServer(name: string, port = 8080): Promise<string> {
    const script = `mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p ${port} -h /www`;
    return this.run(name, ['sh', '-c', script]);
  }

  /** A container that only sleeps, to run commands in; `dockerArgs` e.g. --dns settings. */
  async shell(name: string, dockerArgs: string[] = []): Promise<string> {
    return this.run(name, ['sleep', '3600'], dockerArgs);
  }

  private async run(name: string, cmd: string[], dockerArgs: string[] = []): Promise<string> {
    const cname = `${this.network}-${name}`;
    const id = (await sh('docker', ['run', '-d', '--name', cname, '--network', this.network, '--label', 'k8ts.test=proxy', ...dockerArgs, this.image, ...cmd])).trim();
    this.containers.push(id);
    const ip = (await sh('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id])).trim();
    return ip;
  }

  exec(container: string, script: string, timeoutMs = 30_000): Promise<string> {
    return sh('docker', ['exec', `${this.network}-${container}`, 'sh', '-c', script], { timeoutMs });
  }

  async remove(): Promise<void> {
    if (this.containers.length) await sh('docker', ['rm', '-f', ...this.containers]).catch(() => {});
    await sh('docker', ['network', 'rm', this.network]).catch(() => {});
  }
}

/** GET http://host:port/ with a short timeout; resolves the body or rejects with the socket error code. */
export function httpGet(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/**
 * Sends `probe` every 100 ms, one at a time, until stop(): how many requests went out and how
 * many failed (probe resolved false or threw), e.g. a Service's availability during a fault.
 */
export function startProber(probe: () => Promise<boolean>): { stop(): Promise<{ requests: number; failures: number }> } {
  let requests = 0;
  let failures = 0;
  let probing = true;
  const loop = (async () => {
    while (probing) {
      requests++;
      if (!(await probe().catch(() => false))) failures++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      probing = false;
      await loop;
      return { requests, failures };
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
