export { up } from './commands/up.js';
export { down } from './commands/down.js';
export { status } from './commands/status.js';
export { Home, defaultConfig, type ClusterConfig } from './home.js';
export { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
