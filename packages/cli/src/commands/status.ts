import { Home, defaultConfig } from '../home.js';
import { listProcesses, readPid, runningPid } from '../processes.js';
import { EmbeddedTarget, LEADER_LEASES, holderIsProcess } from '../target/embedded.js';
import { readFileSync } from 'node:fs';
import { isNodeReady } from '@k8ts/api';
import { apiGet, trustCertificate } from '../api.js';
import { ensureTokens } from '../tokens.js';
import { credentialFiles, describeCredential } from '../cluster-pki.js';
import { identityOf, pkgOfProcess } from '../components.js';
import type { ClusterConfig } from '../home.js';
import { machinesLayout } from '../machines/layout.js';
import { registryHost, registryInstances } from '../registry/layout.js';
import { registryCatalog, registryHealth } from '../registry/process.js';

/** Who a process is to the apiserver, read from the client certificate it runs with. */
function identityColumn(home: Home, config: ClusterConfig, name: string): string {
  if (name === 'apiserver') return `serves as ${describeCredential(home.path('pki', 'apiserver.crt'))}`;
  const id = identityOf(name, pkgOfProcess(name, config));
  return id ? describeCredential(credentialFiles(home.path('pki'), id).certFile) : '-';
}

export async function status(): Promise<number> {
  const home = new Home();
  const config = home.readConfig() ?? defaultConfig;
  const names = listProcesses(home);
  if (names.length === 0) {
    console.log('k8ts is not running (`k8ts up` starts it).');
    return 1;
  }
  console.log('COMPONENT            PID      STATE    IDENTITY');
  for (const n of names.sort()) {
    const pid = runningPid(home, n);
    console.log(`${n.padEnd(20)} ${String(pid ?? '-').padEnd(8)} ${(pid ? 'running' : 'dead').padEnd(8)} ${identityColumn(home, config, n)}`);
  }
  const registryDown = await printRegistry(home, config, names);
  const server = `https://127.0.0.1:${config.apiPort}`;
  try {
    const token = ensureTokens(home).admin;
    trustCertificate(readFileSync(home.path('pki', 'ca.crt')));
    const leases = await apiGet(server, token, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
    console.log('\nLEADER ELECTION');
    for (const l of leases.items) {
      const holder: string = l.spec?.holderIdentity ?? '';
      const component = Object.entries(LEADER_LEASES).find(([, lease]) => lease === l.metadata.name)?.[0];
      const proc = component ? names.find((p) => (p === component || p.startsWith(`${component}-`)) && holderIsProcess(holder, p, readPid(home, p))) : undefined;
      console.log(`${l.metadata.name.padEnd(28)} ${holder || '-'}${proc ? `  (process ${proc})` : ''}`);
    }
    const nodes = await apiGet(server, token, '/api/v1/nodes');
    console.log('\nNODE        STATUS');
    // Agents cut off by a rule, and machines whose LAN link is down.
    const cut = process.getuid?.() === 0 ? await new EmbeddedTarget(home).partitioned() : [];
    for (const n of nodes.items)
      console.log(`${n.metadata.name.padEnd(11)} ${isNodeReady(n) ? 'Ready' : 'NotReady'}${n.spec?.unschedulable ? ',SchedulingDisabled' : ''}${cut.includes(n.metadata.name) ? '  (partitioned: `k8ts chaos heal`)' : ''}`);
  } catch (e) {
    console.log(`\napiserver: not answering (${(e as Error).message})`);
    return 1;
  }
  return registryDown ? 1 : 0;
}

/** Each registry instance's answer on /v2/ and what it holds; true when one runs but fails to answer. */
async function printRegistry(home: Home, config: ClusterConfig, names: string[]): Promise<boolean> {
  const machines = config.machines > 0 ? machinesLayout(config, home) : undefined;
  const instances = registryInstances(home, config, machines).filter((i) => names.includes(i.name));
  if (!instances.length) return false;
  console.log('\nREGISTRY             ADDRESS                HEALTH');
  let down = false;
  for (const i of instances) {
    const health = runningPid(home, i.name) === undefined ? 'stopped (`k8ts chaos restart ' + i.name + '`)' : await registryHealth(i.addr);
    if (health !== 'ok') down = true;
    console.log(`${i.name.padEnd(20)} ${i.addr.padEnd(22)} ${health}${i.readOnly ? ' (read-only)' : ''}`);
  }
  const repos = await registryCatalog(registryHost(config));
  if (repos) console.log(`repositories: ${repos.length ? repos.join(', ') : 'none'}`);
  return down;
}
