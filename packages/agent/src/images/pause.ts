// The pod sandbox image the agent starts for every pod (unless told another). The CLI builds it
// (packages/cli/src/images) with the cluster's other local images.
export const PAUSE_IMAGE = 'k8ts/pause:latest';
