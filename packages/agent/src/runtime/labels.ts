// Labels every container the agent creates carries, so `docker ps --filter label=...` finds
// them and a restarted agent can rebuild its view of the node from Docker alone.
export const L = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  node: 'io.k8ts.node',
  restartCount: 'io.k8ts.restart-count',
  kind: 'io.k8ts.container.kind', // sandbox | init | app | ephemeral
  gracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
  network: 'io.k8ts.network',
  sandbox: 'io.k8ts.sandbox-id', // the pause container an app container joined

} as const;

export const SANDBOX_NAME = 'POD';
export type ContainerKind = 'sandbox' | 'init' | 'app' | 'ephemeral';

/** Docker names follow dockershim's k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
export function dockerName(container: string, pod: string, namespace: string, uid: string, attempt: number): string {
  return `k8s_${container}_${pod}_${namespace}_${uid}_${attempt}`;
}
