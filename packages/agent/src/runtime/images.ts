// Image presence and pulls, with Kubernetes' pull policies.
import type Docker from 'dockerode';

export class ImageError extends Error {
  constructor(
    public readonly reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** Kubernetes' default: Always for :latest or no tag, IfNotPresent otherwise. */
export function effectivePullPolicy(image: string, policy?: string): 'Always' | 'IfNotPresent' | 'Never' {
  if (policy === 'Always' || policy === 'IfNotPresent' || policy === 'Never') return policy;
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? image;
  const tag = last.includes(':') ? last.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** image with :latest added when it names no tag or digest. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const last = image.split('/').pop() ?? image;
  return last.includes(':') ? image : `${image}:latest`;
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(normalizeImage(image)).inspect();
    return true;
  } catch {
    return false;
  }
}

async function pull(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(normalizeImage(image));
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      if (err) return reject(err);
      const failed = res?.find((r) => r.error || r.errorDetail);
      if (failed) return reject(new Error(failed.error ?? failed.errorDetail?.message));
      resolve();
    });
  });
}

function dockerMessage(e: unknown): string {
  const j = (e as { json?: { message?: string } }).json;
  return (j?.message ?? (e as Error).message ?? String(e)).replace(/^\(HTTP code \d+\)[^-]*-\s*/, '').trim();
}

export async function ensureImage(docker: Docker, image: string, policy?: string): Promise<void> {
  if (!image || /\s/.test(image)) throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name`);
  const p = effectivePullPolicy(image, policy);
  if (p !== 'Always' && (await imageExists(docker, image))) return;
  if (p === 'Never') throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
  try {
    await pull(docker, image);
  } catch (e) {
    throw new ImageError('ErrImagePull', `failed to pull and unpack image "${image}": ${dockerMessage(e)}`);
  }
  if (!(await imageExists(docker, image))) throw new ImageError('ErrImagePull', `image "${image}" not present after pull`);
}
