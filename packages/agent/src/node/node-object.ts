// The Node object this agent registers: capacity from flags or the host, labels, addresses,
// node info, and the conditions the agent keeps current.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { LOCAL_PATH_DIR_ANNOTATION, type Node, type NodeCondition } from '@k8ts/api';

export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  cpu?: string;
  memory?: string;
  maxPods?: number;
  internalIP: string;
  runtimeVersion: string; // docker://20.10.24
  opsPort?: number;
  /** Where this node keeps local-path volumes; published on the Node for the provisioner. */
  localPathDir?: string;
}

/** The annotations this agent owns on its Node. */
export function nodeAnnotations(f: Pick<NodeFacts, 'localPathDir'>): Record<string, string> {
  return { 'node.alpha.kubernetes.io/ttl': '0', 'k8ts.io/agent': 'true', ...(f.localPathDir ? { [LOCAL_PATH_DIR_ANNOTATION]: f.localPathDir } : {}) };
}

export const KUBELET_VERSION = 'v1.32.0-k8ts';

export function archLabel(): string {
  const a = process.arch;
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

/** "a=b,c=d" → {a: 'b', c: 'd'}; throws on a malformed entry. */
export function parseNodeLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`invalid node label "${part}": expected key=value`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function readTrim(path: string): string {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  } catch {
    return '';
  }
}

function osImage(): string {
  const rel = readTrim('/etc/os-release');
  const m = rel.match(/^PRETTY_NAME="?([^"\n]*)"?/m);
  return m ? m[1] : `${os.type()} ${os.release()}`;
}

export function nodeLabels(f: Pick<NodeFacts, 'name' | 'labels'>): Record<string, string> {
  return {
    'kubernetes.io/hostname': f.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': archLabel(),
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': archLabel(),
    ...f.labels,
  };
}

export function capacity(f: NodeFacts): Record<string, string> {
  return {
    cpu: f.cpu ?? String(os.cpus().length),
    memory: f.memory ?? `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: String(f.maxPods ?? 110),
    'ephemeral-storage': '10Gi',
  };
}

export function readyCondition(prev: NodeCondition[] | undefined, runtimeError: string | undefined, now: string): NodeCondition[] {
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = prev?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  };
  return [
    cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    runtimeError
      ? cond('Ready', 'False', 'KubeletNotReady', `container runtime is down: ${runtimeError}`)
      : cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeStatus(f: NodeFacts, prev: Node['status'] | undefined, runtimeError: string | undefined, now: string): NonNullable<Node['status']> {
  const cap = capacity(f);
  return {
    capacity: cap,
    allocatable: cap,
    conditions: readyCondition(prev?.conditions, runtimeError, now),
    addresses: [
      { type: 'InternalIP', address: f.internalIP },
      { type: 'Hostname', address: f.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.opsPort && f.opsPort > 0 ? f.opsPort : 10250 } },
    nodeInfo: {
      machineID: readTrim('/etc/machine-id'),
      systemUUID: readTrim('/sys/class/dmi/id/product_uuid') || readTrim('/etc/machine-id'),
      bootID: readTrim('/proc/sys/kernel/random/boot_id'),
      kernelVersion: os.release(),
      osImage: osImage(),
      containerRuntimeVersion: f.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: archLabel(),
    },
  };
}

export function nodeObject(f: NodeFacts, runtimeError: string | undefined, now: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.name, labels: nodeLabels(f), annotations: nodeAnnotations(f) },
    spec: {},
    status: nodeStatus(f, undefined, runtimeError, now),
  };
}
