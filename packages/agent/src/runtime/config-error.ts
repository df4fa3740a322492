/** A container cannot be configured from its spec (missing ConfigMap key, bad quantity…):
 * the container waits with reason CreateContainerConfigError and this message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What the pod's configuration refers to in the API; undefined when absent. */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<{ data?: Record<string, string>; binaryData?: Record<string, string> } | undefined>;
  secret(namespace: string, name: string): Promise<{ data?: Record<string, string>; stringData?: Record<string, string> } | undefined>;
}
