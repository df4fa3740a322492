// Image presence and pulls with Kubernetes' pull policies, over any ContainerRuntime.
import type { ContainerRuntime } from './container-runtime.js';
import { parseImageRef } from './image-ref.js';

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

export type ImageService = Pick<ContainerRuntime, 'inspectImage' | 'pullImage'>;

/**
 * Makes the image present by its policy. Returns the milliseconds a pull took, or undefined when
 * none was needed; `pulling` is told before a pull starts (the kubelet's Pulling event).
 */
export async function ensureImage(images: ImageService, image: string, policy?: string, pulling?: () => void): Promise<number | undefined> {
  if (!image || /\s/.test(image)) throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name`);
  try {
    parseImageRef(image);
  } catch (e) {
    throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${(e as Error).message}`);
  }
  const p = effectivePullPolicy(image, policy);
  if (p !== 'Always' && (await images.inspectImage(image))) return undefined;
  if (p === 'Never') throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
  pulling?.();
  const started = Date.now();
  try {
    await images.pullImage(image);
  } catch (e) {
    throw new ImageError('ErrImagePull', `failed to pull and unpack image "${image}": ${(e as Error).message}`);
  }
  if (!(await images.inspectImage(image))) throw new ImageError('ErrImagePull', `image "${image}" not present after pull`);
  return Date.now() - started;
}
