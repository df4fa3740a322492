// Docker create options for a pod's sandbox and its containers, built from the pod spec.
// Pure, so what the agent asks of Docker is testable without an engine.
import type Docker from 'dockerode';
import type { Pod } from '@k8ts/api';
import { L, SANDBOX_NAME, dockerName, type ContainerKind } from '../labels.js';
import { cpuToNano, memoryToBytes } from '../quantity.js';
import { ConfigError } from '../config-error.js';
import { expandVars } from '../env.js';
import type { ContainerConfig } from '../container-runtime.js';
import type { NetworkConfig } from './network.js';
import { containerSecurity, sandboxSecurity } from './security-options.js';

export interface CreateContext {
  nodeName: string;
  network: NetworkConfig;
  clusterDns?: string;
  clusterDomain?: string;
  pauseImage: string;
}

export function containerLabels(ctx: CreateContext, pod: Pod, name: string, kind: ContainerKind, restartCount: number): Record<string, string> {
  const m = pod.metadata ?? {};
  return {
    [L.podName]: m.name ?? '',
    [L.podNamespace]: m.namespace ?? 'default',
    [L.podUid]: m.uid ?? '',
    [L.containerName]: name,
    [L.node]: ctx.nodeName,
    [L.restartCount]: String(restartCount),
    [L.kind]: kind,
    [L.gracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
}

function hostPorts(pod: Pod): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp?: string; HostPort: string }>> } {
  const spec = pod.spec ?? { containers: [] };
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp?: string; HostPort: string }>> = {};
  if (spec.hostNetwork) return { exposed, bindings };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIP ?? '', HostPort: String(p.hostPort) });
    }
  }
  return { exposed, bindings };
}

/** resolv.conf of the pod, by dnsPolicy and dnsConfig. */
export function podDns(ctx: CreateContext, pod: Pod): { dns: string[]; search: string[]; options: string[] } {
  const spec = pod.spec ?? { containers: [] };
  const ns = pod.metadata?.namespace ?? 'default';
  const hostNetwork = !!spec.hostNetwork;
  const domain = ctx.clusterDomain ?? 'cluster.local';
  const dnsPolicy = spec.dnsPolicy ?? 'ClusterFirst';
  const dns: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  const clusterFirst = dnsPolicy === 'ClusterFirst' ? !hostNetwork : dnsPolicy === 'ClusterFirstWithHostNet' && hostNetwork;
  if (clusterFirst && ctx.clusterDns) {
    dns.push(ctx.clusterDns);
    search.push(`${ns}.svc.${domain}`, `svc.${domain}`, domain);
    options.push('ndots:5');
  }
  if (spec.dnsConfig) {
    dns.push(...(spec.dnsConfig.nameservers ?? []));
    search.push(...(spec.dnsConfig.searches ?? []));
    for (const o of spec.dnsConfig.options ?? []) options.push(o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? ''));
  }
  return { dns, search, options };
}

export function sandboxCreateOptions(ctx: CreateContext, pod: Pod, attempt: number): Docker.ContainerCreateOptions {
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const ns = m.namespace ?? 'default';
  const hostNetwork = !!spec.hostNetwork;
  const { exposed, bindings } = hostPorts(pod);
  const { dns, search, options } = podDns(ctx, pod);
  const domain = ctx.clusterDomain ?? 'cluster.local';
  const hostname = (spec.hostname ?? m.name ?? 'pod').slice(0, 63);
  return {
    name: dockerName(SANDBOX_NAME, m.name ?? '', ns, m.uid ?? '', attempt),
    Image: ctx.pauseImage,
    Hostname: hostNetwork ? undefined : hostname,
    Domainname: spec.subdomain ? `${spec.subdomain}.${ns}.svc.${domain}` : undefined,
    Labels: containerLabels(ctx, pod, SANDBOX_NAME, 'sandbox', attempt),
    ExposedPorts: exposed,
    HostConfig: {
      NetworkMode: hostNetwork ? 'host' : ctx.network.name,
      ...sandboxSecurity(pod),
      PortBindings: bindings,
      Dns: dns.length ? dns : undefined,
      DnsSearch: search.length ? search : undefined,
      DnsOptions: options.length ? options : undefined,
      ExtraHosts: (spec.hostAliases ?? []).flatMap((h) => (h.hostnames ?? []).map((n) => `${n}:${h.ip}`)),
      RestartPolicy: { Name: 'no' },
      Init: false,
    },
  };
}

/** Throws ConfigError when a limit is not a quantity. */
export function containerCreateOptions(ctx: CreateContext, cfg: ContainerConfig): Docker.ContainerCreateOptions {
  const { pod, container: c, kind, sandboxId, restartCount, env, binds, imageUser, targetId } = cfg;
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const limits = c.resources?.limits ?? {};
  let nano: number | undefined;
  let memory: number | undefined;
  try {
    nano = cpuToNano(limits.cpu as string | undefined);
    memory = memoryToBytes(limits.memory as string | undefined);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const security = containerSecurity(pod, c, sandboxId, imageUser);
  // kubectl debug --target: the debugger sees the target's processes (docker run --pid container:<id>).
  if (kind === 'ephemeral' && targetId && !spec.hostPID) security.HostConfig.PidMode = `container:${targetId}`;
  return {
    name: dockerName(c.name, m.name ?? '', m.namespace ?? 'default', m.uid ?? '', restartCount),
    Image: c.image,
    Entrypoint: c.command?.length ? c.command.map((s) => expandVars(s, env)) : undefined,
    Cmd: c.args?.length ? c.args.map((s) => expandVars(s, env)) : c.command?.length ? [] : undefined,
    Env: [...env].map(([k, v]) => `${k}=${v}`),
    WorkingDir: c.workingDir,
    User: security.User,
    Tty: !!c.tty,
    OpenStdin: !!c.stdin,
    StdinOnce: !!c.stdinOnce,
    AttachStdin: false,
    Labels: { ...containerLabels(ctx, pod, c.name, kind, restartCount), [L.sandbox]: sandboxId },
    HostConfig: {
      NetworkMode: spec.hostNetwork ? 'host' : `container:${sandboxId}`,
      Binds: binds,
      NanoCpus: nano,
      Memory: memory,
      MemorySwap: memory, // no swap beyond the limit, so the limit OOM-kills as on Kubernetes
      ...security.HostConfig,
      RestartPolicy: { Name: 'no' },
    },
  };
}
