// The cluster registry of `k8ts up`: Debian's docker-registry (the Distribution registry),
// storage under the home, plain HTTP on loopback (Docker trusts 127.0.0.0/8 without TLS) and,
// with machines, a read-only twin over the same storage on the host's LAN address, which the
// machines' engines are told is insecure (--insecure-registry). Pushes go to loopback only.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ClusterConfig, Home } from '../home.js';
import type { MachinesLayout } from '../machines/layout.js';

export const REGISTRY_BINARY = 'docker-registry';
/** The process names `up` gives them (pid and log files). */
export const REGISTRY_PROCESS = 'registry';
export const REGISTRY_LAN_PROCESS = 'registry-lan';

export interface RegistryInstance {
  name: string;
  /** host:port it listens on. */
  addr: string;
  readOnly: boolean;
  configFile: string;
}

/** Where the host's engine pushes and pulls: loopback. */
export function registryHost(c: ClusterConfig): string {
  return `127.0.0.1:${c.registryPort}`;
}

/** Names pods may give the cluster registry besides the address their engine reaches it at. */
export function registryNames(c: ClusterConfig): string[] {
  return [`localhost:${c.registryPort}`, registryHost(c)];
}

/** The instances `up` runs: loopback read-write; with machines, the LAN read-only twin. */
export function registryInstances(home: Home, c: ClusterConfig, machines?: MachinesLayout): RegistryInstance[] {
  const loopback = { name: REGISTRY_PROCESS, addr: registryHost(c), readOnly: false, configFile: home.path('registry', 'config.yml') };
  if (!machines) return [loopback];
  return [loopback, { name: REGISTRY_LAN_PROCESS, addr: `${machines.hostIP}:${c.registryPort}`, readOnly: true, configFile: home.path('registry', 'config-lan.yml') }];
}

/** The registry as an engine reaches it: the host's loopback, or the host's LAN address from a machine. */
export function registryEndpoint(c: ClusterConfig, machines?: MachinesLayout): string {
  return machines ? `${machines.hostIP}:${c.registryPort}` : registryHost(c);
}

/** The agent's flags for the cluster registry (packages/agent image-ref.ts). */
export function agentRegistryArgs(c: ClusterConfig, machines?: MachinesLayout): string[] {
  return ['--image-registry', registryEndpoint(c, machines), '--image-registry-names', registryNames(c).join(',')];
}

/**
 * Distribution's configuration (YAML is a superset of JSON): filesystem storage, deletes
 * allowed (so a test can remove what it pushed), JSON logs, the health check of the storage
 * driver, one HTTP secret for both instances (upload state is signed with it).
 */
export function registryConfig(storageDir: string, inst: RegistryInstance, secret: string): string {
  const config = {
    version: 0.1,
    // Every line JSON: the request log (response completed) is, the Apache-style access log is not.
    log: { level: 'info', formatter: 'json', fields: { service: 'registry', instance: inst.name }, accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: true },
      ...(inst.readOnly ? { maintenance: { readonly: { enabled: true }, uploadpurging: { enabled: false } } } : {}),
    },
    http: { addr: inst.addr, secret, headers: { 'X-Content-Type-Options': ['nosniff'] } },
    health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** The registry's filesystem storage under the home. */
export const registryStorage = (home: Home): string => home.path('registry', 'data');

/** Writes each instance's configuration (the secret made once per home); returns the storage dir. */
export function writeRegistryConfigs(home: Home, instances: RegistryInstance[]): string {
  const storage = registryStorage(home);
  mkdirSync(storage, { recursive: true });
  const secretFile = home.path('registry', 'http.secret');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const secret = readFileSync(secretFile, 'utf8').trim();
  for (const inst of instances) writeFileSync(inst.configFile, registryConfig(storage, inst, secret), { mode: 0o600 });
  return storage;
}
