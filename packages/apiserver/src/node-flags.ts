// The flags node runs the apiserver with, wherever it is started (k8ts up, docker-compose.yml,
// the benchmarks). V8 collects garbage with helper threads by default; k8ts puts a whole
// cluster on a few cores, where those helpers only compete with etcd and the other
// components for them. With GC on the apiserver's own thread, REST creates at concurrency 64
// cost 15 % less apiserver CPU and ran at 0.58–0.61 of raw etcd instead of 0.50–0.58 (four
// alternating pairs on 2 cores, 2026-12-03; six earlier pairs the same way). The scheduler
// bench showed no difference either way.
export const APISERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
