// Starting, probing and stopping the cluster registry's processes (pid files as every other
// process of `k8ts up`: ../processes.ts).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { ClusterConfig, Home } from '../home.js';
import type { MachinesLayout } from '../machines/layout.js';
import { recordedArgs, runningPid, startDetached, stopProcess } from '../processes.js';
import { REGISTRY_BINARY, registryHost, registryInstances, writeRegistryConfigs } from './layout.js';

/** Whether Debian's docker-registry is installed (`up` runs without a registry otherwise). */
export function registryInstalled(): boolean {
  try {
    execFileSync(REGISTRY_BINARY, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * One GET to the registry. node:http, not fetch: fetch refuses the Fetch standard's "bad ports",
 * among them 6000, which `--ops-port-offset 1000` gives the registry.
 */
function get(host: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const i = host.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const req = http.get({ host: host.slice(0, i), port: Number(host.slice(i + 1)), path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** What /v2/ answers at host:port: 'ok', or why not (the registry's API root is its health check). */
export async function registryHealth(host: string, timeoutMs = 2000): Promise<string> {
  try {
    const res = await get(host, '/v2/', timeoutMs);
    return res.status === 200 ? 'ok' : `answers ${res.status} on /v2/`;
  } catch (e) {
    return `not answering on ${host} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** The repositories it holds (its catalog), or undefined when it does not answer. */
export async function registryCatalog(host: string): Promise<string[] | undefined> {
  try {
    const res = await get(host, '/v2/_catalog?n=1000', 2000);
    return res.status === 200 ? ((JSON.parse(res.body) as { repositories?: string[] }).repositories ?? []) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts each instance not running (again when its flags changed) and waits until each answers. */
export async function startRegistry(home: Home, c: ClusterConfig, machines?: MachinesLayout, timeoutMs = 30_000): Promise<void> {
  const instances = registryInstances(home, c, machines);
  writeRegistryConfigs(home, instances);
  for (const inst of instances) {
    const args = ['serve', inst.configFile];
    if (runningPid(home, inst.name) !== undefined && JSON.stringify(recordedArgs(home, inst.name)) !== JSON.stringify(args)) await stopProcess(home, inst.name);
    if (runningPid(home, inst.name) === undefined) startDetached(home, inst.name, REGISTRY_BINARY, args);
  }
  const deadline = Date.now() + timeoutMs;
  for (const inst of instances) {
    for (;;) {
      const health = await registryHealth(inst.addr);
      if (health === 'ok') break;
      if (runningPid(home, inst.name) === undefined) throw new Error(`the registry ${inst.name} exited at start (see ${home.path('logs', `${inst.name}.out`)})`);
      if (Date.now() > deadline) throw new Error(`the registry ${inst.name}: ${health} after ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The loopback instance's address when this home's registry runs, else undefined. */
export function runningRegistry(home: Home, c: ClusterConfig): string | undefined {
  return runningPid(home, 'registry') !== undefined ? registryHost(c) : undefined;
}
