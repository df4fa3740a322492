// The workload's pods as Docker runs them (app containers labelled with pod namespace and
// uid): the ground truth behind "no duplicate pods", beside what the API says.
import Docker from 'dockerode';

export interface DockerPod {
  uid: string;
  name: string;
  node: string;
}

/**
 * Running pods of a namespace by their sandboxes, on every engine of the cluster (the host's,
 * or each machine's: `sockets`); undefined when an engine cannot be asked.
 */
export async function dockerPodsOf(namespace: string, sockets?: string[]): Promise<DockerPod[] | undefined> {
  try {
    const engines = sockets?.length ? sockets.map((socketPath) => new Docker({ socketPath })) : [new Docker()];
    const lists = await Promise.all(engines.map((d) => d.listContainers({ filters: { label: [`io.kubernetes.pod.namespace=${namespace}`, 'io.k8ts.container.kind=sandbox'] } })));
    return lists.flat().map((c) => ({ uid: c.Labels['io.kubernetes.pod.uid'] ?? '', name: c.Labels['io.kubernetes.pod.name'] ?? '', node: c.Labels['io.k8ts.node'] ?? '' }));
  } catch {
    return undefined;
  }
}
