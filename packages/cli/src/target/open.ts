// The cluster a chaos command or drill acts on: the embedded one by default, the compose one
// with --compose.
import { EmbeddedTarget } from './embedded.js';
import { openComposeTarget } from './compose.js';
import type { ClusterTarget } from './types.js';

export async function openTarget(opts: { compose?: boolean } = {}): Promise<ClusterTarget> {
  return opts.compose ? openComposeTarget() : new EmbeddedTarget();
}
