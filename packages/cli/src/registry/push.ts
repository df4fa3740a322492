// `k8ts images push IMAGE` and the cluster's own images after `k8ts images`: a local image
// tagged under the cluster registry's address, pushed through the Docker engine (dockerode),
// and the tag taken away again, so the engine holds what it held before (also on failure).
import type Docker from 'dockerode';
import { DOCKER_HUB, inRegistry, parseImageRef, splitTag } from '@k8ts/agent';

export interface Pushed {
  image: string;
  /** The name in the registry (127.0.0.1:5000/k8ts/hello:1.0). */
  pushedAs: string;
  /** The manifest's digest the registry answered. */
  digest: string;
}

/**
 * The name an image is pushed under, or an error saying why it cannot be: Docker Hub names
 * (the agents pull those through the registry) and the registry's own names, by tag.
 */
export function pushTarget(image: string, host: string, ownNames: string[]): { local: string; target: string } {
  const ref = parseImageRef(image);
  if (ref.digest) throw new Error(`"${image}" names a digest: push a tag (a digest is what the push makes)`);
  const ours = ref.domain === host || ownNames.includes(ref.domain);
  if (ref.domain !== DOCKER_HUB && !ours) throw new Error(`"${image}" names the registry ${ref.domain}: only Docker Hub names (which the agents pull through the cluster registry) and ${ownNames[0]}/… names can be published to it`);
  const tagged = { ...ref, tag: ref.tag ?? 'latest' };
  // Docker names a Hub image by its short form (k8ts/hello:1.0, busybox:latest).
  const local = ours ? `${ref.domain}/${ref.path}:${tagged.tag}` : `${ref.path.replace(/^library\//, '')}:${tagged.tag}`;
  return { local, target: inRegistry(tagged, host) };
}

/** Pushes one local image to the registry at `host` (loopback: Docker needs no TLS there). */
export async function pushImage(docker: Docker, image: string, host: string, ownNames: string[]): Promise<Pushed> {
  const { local, target } = pushTarget(image, host, ownNames);
  const source = await docker.getImage(local).inspect().catch(() => undefined);
  if (!source) throw new Error(`no image "${local}" in the local Docker engine (build or pull it first: \`docker images\` lists what is there)`);
  // A name the engine already held under the target is given back afterwards.
  const before = target === local ? undefined : await docker.getImage(target).inspect().then((i) => i.Id, () => null);
  if (target !== local) await docker.getImage(source.Id).tag(splitTag(target));
  try {
    return { image, pushedAs: target, digest: await pushTagged(docker, target) };
  } finally {
    if (before === null) await docker.getImage(target).remove({ noprune: true }).catch(() => undefined);
    else if (before) await docker.getImage(before).tag(splitTag(target)).catch(() => undefined);
  }
}

interface PushEvent {
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

/** The push's progress followed to its end; Docker reports failures inside the stream. */
async function pushTagged(docker: Docker, name: string): Promise<string> {
  // The engine wants an X-Registry-Auth header even for a registry without auth.
  const { repo, tag } = splitTag(name);
  const stream = await docker.getImage(repo).push({ tag, authconfig: { serveraddress: repo.slice(0, repo.indexOf('/')) } });
  const events = await new Promise<PushEvent[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, res: PushEvent[]) => (err ? reject(err) : resolve(res ?? []))));
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`pushing ${name}: ${failed.error ?? failed.errorDetail?.message}`);
  const digest = events.map((e) => e.aux?.Digest).find(Boolean);
  if (!digest) throw new Error(`pushing ${name}: the engine reported no digest`);
  return digest;
}
