// The helper pod that removes a released volume's folder on its node, as rancher's
// local-path-provisioner tears volumes down: the folder belongs to the node, and files a
// container wrote there may be root's, so a container on that node removes it.
import type { Pod } from '@k8ts/api';
import { basename, dirname } from 'node:path';

export const HELPER_NAMESPACE = 'kube-system';
export const HELPER_IMAGE = 'k8ts/busybox:1.36';

export function helperPodName(volume: string): string {
  return `helper-pod-delete-${volume}`;
}

/** The volume a helper pod works for, from its name; undefined for other pods. */
export function volumeOfHelperPod(pod: Pod): string | undefined {
  const name = pod.metadata?.name ?? '';
  if (pod.metadata?.namespace !== HELPER_NAMESPACE || !name.startsWith('helper-pod-delete-')) return undefined;
  return name.slice('helper-pod-delete-'.length);
}

export function deleteHelperPod(volume: string, node: string, path: string): Pod {
  const parent = dirname(path);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: helperPodName(volume), namespace: HELPER_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'local-path-provisioner' } },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'helper-pod',
          image: HELPER_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['rm', '-rf', `/volumes/${basename(path)}`],
          volumeMounts: [{ name: 'volumes', mountPath: '/volumes' }],
        },
      ],
      volumes: [{ name: 'volumes', hostPath: { path: parent, type: 'DirectoryOrCreate' } }],
    },
  };
}
