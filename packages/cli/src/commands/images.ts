// `k8ts images`, and `k8ts up` when they are missing: the cluster's local images (../images/build.ts).
import { buildImages } from '../images/build.js';

export async function ensureImages(opts: { force?: boolean } = {}): Promise<void> {
  await buildImages({ force: opts.force });
}
