// The workload's pods as Docker runs them (app containers labelled with pod namespace and
// uid): the ground truth behind "no duplicate pods", beside what the API says.
import Docker from 'dockerode';

export interface DockerPod {
  uid: string;
  name: string;
  node: string;
}

/** Running pods of a namespace by their sandboxes; undefined when Docker cannot be asked. */
export async function dockerPodsOf(namespace: string): Promise<DockerPod[] | undefined> {
  try {
    const list = await new Docker().listContainers({ filters: { label: [`io.kubernetes.pod.namespace=${namespace}`, 'io.k8ts.container.kind=sandbox'] } });
    return list.map((c) => ({ uid: c.Labels['io.kubernetes.pod.uid'] ?? '', name: c.Labels['io.kubernetes.pod.name'] ?? '', node: c.Labels['io.k8ts.node'] ?? '' }));
  } catch {
    return undefined;
  }
}
