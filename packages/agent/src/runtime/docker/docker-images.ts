// Images on the Docker engine: inspect, pull (resolving only once the image is there, through
// the cluster registry when there is one), list.
import type Docker from 'dockerode';
import type { ImageInfo } from '../container-runtime.js';
import { normalizeImage } from '../images.js';
import { fullName, parseImageRef, pullCandidates, type ImageMirror } from '../image-ref.js';
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
export async function pullByName(docker: Docker, image: string): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(image);
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

/** repo and tag of a name as `docker tag` takes them (the tag after the last colon past the last slash). */
export function splitTag(name: string): { repo: string; tag: string } {
  const i = name.lastIndexOf(':');
  return i > name.lastIndexOf('/') ? { repo: name.slice(0, i), tag: name.slice(i + 1) } : { repo: name, tag: 'latest' };
}

/**
 * Pulls `image` as the pod names it. With a mirror (the cluster registry) the engine pulls the
 * mirror's name, and the image is then tagged under the pod's name and the mirror's tag
 * dropped, so the engine holds what it would hold had it pulled the name itself (containerd's
 * mirrors do this below the name). Candidates are tried in order; the error names each.
 */
export async function pullImage(docker: Docker, image: string, mirror?: ImageMirror): Promise<void> {
  const ref = parseImageRef(image);
  const local = normalizeImage(image);
  const failures: string[] = [];
  for (const from of pullCandidates(ref, mirror)) {
    try {
      // The same name however written (docker.io/library/busybox is busybox): nothing to tag.
      if (fullName(parseImageRef(from)) === fullName(ref) || ref.digest) await pullByName(docker, from);
      else await pullAs(docker, from, local);
      return;
    } catch (e) {
      const where = mirror && from.startsWith(`${mirror.endpoint}/`) ? `cluster registry ${mirror.endpoint} (as ${from})` : from;
      failures.push(`${where}: ${(e as Error).message}`);
    }
  }
  throw new Error(failures.join('; then '));
}

/**
 * Pulls `from` and tags it `local`. Agents on one engine (`k8ts up` without machines) pull the
 * same name at once, and one may drop the mirror's tag between another's pull and its tag:
 * that one pulls again (the layers are there by then).
 */
async function pullAs(docker: Docker, from: string, local: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await pullByName(docker, from);
    try {
      await docker.getImage(from).tag(splitTag(local));
      break;
    } catch (e) {
      if (attempt >= 3) throw new Error(`tagging ${from} as ${local}: ${dockerErrorMessage(e)}`);
    }
  }
  // Only the name goes (noprune): the image stays under the pod's name.
  await docker.getImage(from).remove({ noprune: true }).catch(() => undefined);
}

export async function listImages(docker: Docker): Promise<ImageInfo[]> {
  const all = await docker.listImages();
  return all.map((i) => ({ id: i.Id, tags: i.RepoTags ?? [] }));
}
