// What a host joining the cluster must know beyond its server, token and CA: published by
// `k8ts up --machines N` in the ConfigMap kube-public/k8ts-join (kubeadm keeps the like in
// kube-system/kubeadm-config, readable by bootstrappers), read by `k8ts join` with its
// bootstrap token. The joiner reads it from a server it has pinned, and checks it all the same.
import type { ClusterConfig } from '../home.js';
import { chainPrefix } from '../home.js';
import type { MachinesLayout } from '../machines/layout.js';
import { ipv4ToInt, parseIpv4Cidr } from '@k8ts/api';
import { JOIN_CONFIG_NAME, JOIN_SERVICE_ACCOUNTS } from '@k8ts/client';
import { isRegistryHost } from '@k8ts/agent';
import { registryNames } from '../registry/layout.js';

export const JOIN_CONFIGMAP = { namespace: 'kube-public', name: JOIN_CONFIG_NAME } as const;

/** How long their tokens live: `k8ts join` again renews them (no rotation on the host yet). */
export const JOIN_TOKEN_SECONDS = 365 * 24 * 3600;

export function joinServiceAccounts(): Record<string, unknown>[] {
  return Object.values(JOIN_SERVICE_ACCOUNTS).map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'kube-system' } }));
}

export interface JoinSettings {
  /** Docker network each agent makes on its engine for its pods. */
  network: string;
  /** The nodes' pod ranges (nodeipam's --cluster-cidr): podnet routes them, the proxy calls them pods. */
  clusterCidr: string;
  podRoutes: 'host-gw' | 'vxlan';
  serviceRange: string;
  lbPool: string;
  clusterDns: string;
  chainPrefix: string;
  /**
   * The cluster registry at the host's LAN address and the names pods give it (comma-separated),
   * when it runs: the joined agent pulls through it (its engine must allow it: --insecure-registry).
   */
  imageRegistry?: string;
  imageRegistryNames?: string;
}

export function joinSettingsOf(c: ClusterConfig, l: MachinesLayout, o: { registry?: boolean } = {}): JoinSettings {
  const registry = o.registry ? { imageRegistry: l.registry, imageRegistryNames: registryNames(c).join(',') } : {};
  return { network: c.network, clusterCidr: l.clusterCidr, podRoutes: l.routes, serviceRange: c.serviceRange, lbPool: c.lbPool, clusterDns: c.clusterDns, chainPrefix: chainPrefix(c), ...registry };
}

export function joinConfigMap(s: JoinSettings): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: JOIN_CONFIGMAP.name, namespace: JOIN_CONFIGMAP.namespace }, data: { ...s } };
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** The settings in a ConfigMap's data, or an error naming what is wrong. */
export function parseJoinSettings(data: unknown): JoinSettings {
  const d = (data ?? {}) as Record<string, unknown>;
  const bad = (what: string) => new Error(`the cluster's join settings (${JOIN_CONFIGMAP.namespace}/${JOIN_CONFIGMAP.name}): ${what}`);
  const str = (k: keyof JoinSettings): string => {
    const v = d[k];
    if (typeof v !== 'string' || !v) throw bad(`no ${k}`);
    return v;
  };
  const cidr = (k: keyof JoinSettings) => {
    const v = str(k);
    if (!parseIpv4Cidr(v)) throw bad(`${k} ${JSON.stringify(v)} is not an IPv4 CIDR`);
    return v;
  };
  const network = str('network');
  if (!NAME.test(network)) throw bad(`network ${JSON.stringify(network)} is not a name`);
  const clusterCidr = cidr('clusterCidr');
  const podRoutes = str('podRoutes');
  if (podRoutes !== 'host-gw' && podRoutes !== 'vxlan') throw bad(`podRoutes ${JSON.stringify(podRoutes)} is neither host-gw nor vxlan`);
  const serviceRange = cidr('serviceRange');
  const lbPool = cidr('lbPool');
  const clusterDns = str('clusterDns');
  if (ipv4ToInt(clusterDns) === undefined) throw bad(`clusterDns ${JSON.stringify(clusterDns)} is not an IPv4 address`);
  const prefix = str('chainPrefix');
  if (!/^[A-Z0-9]{1,8}$/.test(prefix)) throw bad(`chainPrefix ${JSON.stringify(prefix)} is not a name`);
  return { network, clusterCidr, podRoutes, serviceRange, lbPool, clusterDns, chainPrefix: prefix, ...registrySettings(d, bad) };
}

/** The registry's settings, absent when the cluster runs none; each host a host:port. */
function registrySettings(d: Record<string, unknown>, bad: (what: string) => Error): Pick<JoinSettings, 'imageRegistry' | 'imageRegistryNames'> {
  if (d.imageRegistry === undefined) return {};
  const hosts = [d.imageRegistry, ...String(d.imageRegistryNames ?? '').split(',').filter(Boolean)];
  for (const h of hosts) if (typeof h !== 'string' || !isRegistryHost(h)) throw bad(`imageRegistry ${JSON.stringify(h)} is not a registry host:port`);
  return { imageRegistry: d.imageRegistry as string, imageRegistryNames: String(d.imageRegistryNames ?? '') };
}
