// Image references as Docker's distribution/reference reads them (normalized names: a first
// component with a dot, a colon or `localhost` is a registry host, anything else is Docker
// Hub's, one-component names being `library/…`), and the cluster registry as a mirror of them.
// The agent pulls through the mirror; `k8ts images push` publishes under the same names.

export interface ImageRef {
  /** The registry host (with port): docker.io for Docker Hub names. */
  domain: string;
  /** The repository path inside it (library/busybox, k8ts/hello). */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
export const DOCKER_HUB = 'docker.io';

/** Parses an image reference; throws an Error saying what is wrong with it. */
export function parseImageRef(image: string): ImageRef {
  const bad = (why: string) => new Error(`invalid image reference "${image}": ${why}`);
  if (!image || /\s/.test(image)) throw bad('empty or contains whitespace');
  if (image.length > 255 + 200) throw bad('too long');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const parts = rest.split('/');
  let domain = DOCKER_HUB;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw bad(`"${domain}" is not a registry host[:port]`);
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  for (const p of parts) if (!COMPONENT.test(p)) throw bad(`"${p}" is not a repository name component (lowercase letters, digits, separators . _ __ -)`);
  if (domain === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path.length > 255) throw bad('repository name longer than 255 characters');
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The reference as a full name (docker.io/library/busybox:latest); :latest when it names neither tag nor digest. */
export function fullName(r: ImageRef): string {
  return `${r.domain}/${r.path}${suffix(r)}`;
}

function suffix(r: ImageRef): string {
  if (r.digest) return `${r.tag ? `:${r.tag}` : ''}@${r.digest}`;
  return `:${r.tag ?? 'latest'}`;
}

/** The same image under another registry host (the mirror's address), path and tag kept. */
export function inRegistry(r: ImageRef, endpoint: string): string {
  return `${endpoint}/${r.path}${suffix(r)}`;
}

/**
 * The cluster registry as the agent's engine reaches it (`endpoint`: 127.0.0.1:5000 on the
 * host, the host's LAN address from a machine) and the names pods may give it (`names`:
 * localhost:5000 as the user pushed it): kind's containerd mirror of localhost:5001.
 */
export interface ImageMirror {
  endpoint: string;
  names: string[];
}

/**
 * Where to pull an image from, in order: through the mirror for Docker Hub names (then Docker
 * Hub itself, as containerd falls back to the upstream), only the mirror for the cluster
 * registry's own names, the name itself for any other registry.
 */
export function pullCandidates(r: ImageRef, mirror?: ImageMirror): string[] {
  const own = fullName(r).replace(/^docker\.io\//, '');
  if (!mirror) return [own];
  if (r.domain === mirror.endpoint || mirror.names.includes(r.domain)) return [inRegistry(r, mirror.endpoint)];
  if (r.domain === DOCKER_HUB) return [inRegistry(r, mirror.endpoint), own];
  return [own];
}

/** A registry host as references name one (host[:port], with a dot, a colon or localhost). */
export function isRegistryHost(host: string): boolean {
  return DOMAIN.test(host) && (host.includes('.') || host.includes(':') || host === 'localhost');
}
