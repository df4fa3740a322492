// How node runs every cluster component but the apiserver (its own: @k8ts/apiserver/node-flags),
// wherever it is started: `k8ts up`, the compose cluster, the benchmarks. A component is small
// and mostly waits; V8's defaults are sized for a process that allocates fast on many cores.
// Idle after `k8ts up` with the sample workload (2026-12-07, one cluster, each component
// started again with and without these): controller-manager 90 → 69–73 MiB resident, dns 87 →
// 70, proxy 86 → 72, scheduler 77 → 70, agent 80 → 74.
//   --max-semi-space-size=1  the young generation grew to 16 MiB in the controller-manager and
//                            dns during their start-up lists and stayed there;
//   --single-threaded-gc, --v8-pool-size=1  fewer helper threads, each with a stack and a
//                            malloc arena of its own;
//   MALLOC_ARENA_MAX=2       glibc's arenas per thread kept 6–9 MiB more resident on their own.
export const COMPONENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--single-threaded-gc', '--v8-pool-size=1'];

export const COMPONENT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
