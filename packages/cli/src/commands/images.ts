// `k8ts images` (and `k8ts up` when they are missing): the cluster's local images
// (../images/build.ts), then pushed to the cluster registry when it runs; `k8ts images push
// IMAGE`: a user's own image published to it (kind's and k3d's local registry).
import Docker from 'dockerode';
import { buildImages } from '../images/build.js';
import { Home, defaultConfig, type ClusterConfig } from '../home.js';
import { registryHost, registryNames } from '../registry/layout.js';
import { registryHealth, runningRegistry } from '../registry/process.js';
import { pushImage, pushTarget, type Pushed } from '../registry/push.js';

export async function ensureImages(opts: { force?: boolean } = {}): Promise<void> {
  await buildImages({ force: opts.force });
}

/** `k8ts images`: build what changed, then publish every cluster image when the registry runs. */
export async function imagesCommand(opts: { force?: boolean } = {}): Promise<void> {
  await ensureImages(opts);
  const home = new Home();
  const config = home.readConfig() ?? defaultConfig;
  if (!runningRegistry(home, config)) return console.log('the cluster registry is not running: images built, none pushed (`k8ts up` starts it)');
  for (const p of await pushClusterImages(config)) console.log(`pushed ${p.image} as ${p.pushedAs} (${p.digest})`);
}

/** The cluster's own images (pause, busybox, node, hello under each tag) into the registry. */
export async function pushClusterImages(config: ClusterConfig, docker = new Docker()): Promise<Pushed[]> {
  const { clusterImageTags } = await import('../images/build.js');
  const out: Pushed[] = [];
  // One at a time: tags of one image share its layers, which a second push then finds there.
  for (const tag of clusterImageTags()) out.push(await pushImage(docker, tag, registryHost(config), registryNames(config)));
  return out;
}

/** `k8ts images push IMAGE…`: each checked before any is pushed; a failure exits non-zero. */
export async function pushCommand(images: string[]): Promise<void> {
  const home = new Home();
  const config = home.readConfig() ?? defaultConfig;
  const host = registryHost(config);
  if (!runningRegistry(home, config)) throw new Error(`the cluster registry is not running (\`k8ts up\` starts it; its home is ${home.dir})`);
  const health = await registryHealth(host);
  if (health !== 'ok') throw new Error(`the cluster registry is ${health}`);
  const docker = new Docker();
  // Nothing is pushed unless every name is good and every image is here.
  for (const image of images) {
    const { local } = pushTarget(image, host, registryNames(config));
    if (!(await docker.getImage(local).inspect().then(() => true, () => false))) throw new Error(`no image "${local}" in the local Docker engine (build or pull it first: \`docker images\` lists what is there)`);
  }
  for (const image of images) {
    const p = await pushImage(docker, image, host, registryNames(config));
    console.log(`pushed ${p.image} as ${p.pushedAs} (${p.digest}); pods may name it ${podName(p, config)}`);
  }
}

/** How a pod names what was pushed: the Docker Hub name (mirrored) or localhost:PORT/…. */
function podName(p: Pushed, config: ClusterConfig): string {
  const path = p.pushedAs.slice(registryHost(config).length + 1);
  const [first] = registryNames(config);
  return p.image.startsWith(`${first}/`) || p.image.startsWith(`${registryHost(config)}/`) ? `${first}/${path}` : `${p.image} or ${first}/${path}`;
}
