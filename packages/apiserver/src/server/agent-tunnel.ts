// The apiserver's side of the agents: the tunnel their Nodes.Connect streams hold open, and
// the metrics.k8s.io scrapes made through it (src/metrics-api/).
import type { Logger } from '@k8ts/client';
import type { EtcdRegistry } from '../registry/registry.js';
import type { AgentStreamHandler } from '../grpc/context.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { createAgentTunnel } from '../tunnel/index.js';
import { startMetricsApi, type MetricsApiFlags } from '../metrics-api/index.js';

export type { MetricsApiFlags };

export function startAgentTunnel(
  opts: MetricsApiFlags & { tunnel?: AgentStreamHandler & StreamTunnel },
  registry: EtcdRegistry,
  logger: Logger,
  cleanups: (() => Promise<void> | void)[],
): AgentStreamHandler & StreamTunnel {
  const tunnel = opts.tunnel ?? createAgentTunnel({ logger, registry });
  const metricsApi = startMetricsApi({ registry, tunnel, resolutionMs: opts.metricResolutionMs, logger });
  cleanups.push(() => metricsApi.stop());
  return tunnel;
}
