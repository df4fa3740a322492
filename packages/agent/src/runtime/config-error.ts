import type { KubeObject } from '@k8ts/api';
/** A container cannot be configured from its spec (missing ConfigMap key, bad quantity…):
 * the container waits with reason CreateContainerConfigError and this message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A volume that cannot be mounted yet (its claim unbound, its volume missing): as the
 * kubelet, the pod waits in ContainerCreating with a FailedMount event and is tried again.
 */
export class VolumeMountError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeMountError';
  }
}

/** What the pod's configuration refers to in the API; undefined when absent. */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>;
  secret(namespace: string, name: string): Promise<{ data?: Record<string, string>; stringData?: Record<string, string> } | undefined>;
  /** The claim a persistentVolumeClaim volume names, and the volume bound to it (Node authorizer: get only). */
  persistentVolumeClaim?(namespace: string, name: string): Promise<KubeObject | undefined>;
  persistentVolume?(name: string): Promise<KubeObject | undefined>;
  /** A TokenRequest for the pod's service account, bound to the pod (kubelet's token manager). */
  serviceAccountToken?(namespace: string, serviceAccount: string, req: TokenRequestSpec): Promise<{ token: string; expirationTimestamp: string }>;
  /** The `default/kubernetes` Service's address, for KUBERNETES_SERVICE_HOST and friends; undefined when there is none. */
  kubernetesService?(): Promise<{ host: string; port: number } | undefined>;
}

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds: number;
  boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string };
}
