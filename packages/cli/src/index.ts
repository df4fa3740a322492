export { up } from './commands/up.js';
export { down } from './commands/down.js';
export { status } from './commands/status.js';
export { Home, defaultConfig, type ClusterConfig } from './home.js';
export { buildImages, IMAGES, IMAGE_NAMES, CLUSTER_IMAGE_NAMES, EXTRA_TAGS, type BuildImagesOptions, type BuildResult, type ImageName } from './images/build.js';
export { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
export { newBootstrapToken, bootstrapTokenSecret, DEFAULT_NODE_TOKEN_GROUP, type BootstrapToken } from './bootstrap-token.js';
