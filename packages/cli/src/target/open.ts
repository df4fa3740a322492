// The cluster a chaos command or drill acts on: the embedded one by default, the compose one
// with --compose (its target lives in ./compose.ts, loaded only when asked for).
import { EmbeddedTarget } from './embedded.js';
import type { ClusterTarget } from './types.js';

export async function openTarget(opts: { compose?: boolean } = {}): Promise<ClusterTarget> {
  if (!opts.compose) return new EmbeddedTarget();
  const path = './compose.js';
  let mod: Record<string, unknown>;
  try {
    mod = await import(path);
  } catch (e) {
    throw new Error(`the compose target could not be loaded: ${(e as Error).message}`);
  }
  const make = mod.openComposeTarget ?? mod.composeTarget;
  if (typeof make === 'function') return (await make()) as ClusterTarget;
  const Ctor = (mod.ComposeTarget ?? mod.default) as (new () => ClusterTarget) | undefined;
  if (typeof Ctor !== 'function') throw new Error('the compose target module exports no ComposeTarget');
  return new Ctor();
}
