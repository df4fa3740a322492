// The cluster a chaos command or drill acts on: the embedded one by default, the compose one
// with --compose.
import { EmbeddedTarget } from './embedded.js';
import { openComposeTarget } from './compose.js';
import type { ClusterTarget } from './types.js';

export async function openTarget(opts: { compose?: boolean; project?: string } = {}): Promise<ClusterTarget> {
  return opts.compose ? openComposeTarget(opts.project) : new EmbeddedTarget();
}
