// How the benchmarks start a k8ts component: as `k8ts up` and compose do, compiled from
// packages/<pkg>/dist (rebuilt first when a source changed), or its TypeScript through tsx with
// K8TS_FROM_SOURCE=1.
import { DIST_NODE_FLAGS } from '../../../scripts/build.mjs';
import { componentNodeArgs, ensureCompiled } from '../../../packages/cli/src/processes.js';

/**
 * node's arguments up to the component's own. `main` names another tree's entry instead (a
 * checkout of an earlier commit, to compare two versions): its dist/main.js, or a .ts to run
 * through tsx.
 */
export async function componentArgs(pkg: string, main?: string): Promise<string[]> {
  if (main) return main.endsWith('.ts') ? ['--import', 'tsx', main] : [...DIST_NODE_FLAGS, main];
  await ensureCompiled((line) => console.error(line));
  return componentNodeArgs(pkg);
}
