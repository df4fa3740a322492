// Images on the Docker engine: inspect, pull (resolving only once the image is there), list.
import type Docker from 'dockerode';
import type { ImageInfo } from '../container-runtime.js';
import { normalizeImage } from '../images.js';
import { dockerErrorMessage } from './docker-errors.js';

export async function inspectImage(docker: Docker, image: string): Promise<ImageInfo | undefined> {
  try {
    const i = await docker.getImage(normalizeImage(image)).inspect();
    return { id: i.Id, tags: i.RepoTags ?? [], user: i.Config?.User ?? '' };
  } catch {
    // 404, a name Docker rejects, or Docker down: the pull that follows says which.
    return undefined;
  }
}

// pull() resolves before the image exists: wait for the progress stream's end.
export async function pullImage(docker: Docker, image: string): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(normalizeImage(image));
  } catch (e) {
    throw new Error(dockerErrorMessage(e));
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, res: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      if (err) return reject(new Error(dockerErrorMessage(err)));
      const failed = res?.find((r) => r.error || r.errorDetail);
      if (failed) return reject(new Error(failed.error ?? failed.errorDetail?.message));
      resolve();
    });
  });
}

export async function listImages(docker: Docker): Promise<ImageInfo[]> {
  const all = await docker.listImages();
  return all.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] }));
}
