// @k8ts/controller-manager: the process that runs the cluster's controllers.
import { readFileSync } from 'node:fs';
import { GrpcClient, clientFromOptions, componentOps, createLogger, type ComponentClientOptions } from '@k8ts/client';
import { ControllerManager, type ControllerManagerOptions } from './manager.js';

export { ControllerManager, selectControllers } from './manager.js';
export type { ControllerManagerOptions } from './manager.js';
export { CONTROLLER_NAMES } from './controllers.js';
export { defaultControllerOptions, type ControllerOptions } from './framework/types.js';

/** opsPort defaults to 10257. */
export interface StartControllerManagerOptions extends Omit<ControllerManagerOptions, 'client' | 'registry' | 'logger'>, ComponentClientOptions {
  /** --kube-api-qps/--kube-api-burst: the client's rate limit (no limit when unset). */
  kubeApiQps?: number;
  kubeApiBurst?: number;
}

export interface RunningControllerManager {
  manager: ControllerManager;
  opsPort: number;
  stop(): Promise<void>;
}

export async function startControllerManager(opts: StartControllerManagerOptions = {}): Promise<RunningControllerManager> {
  const logger = createLogger('controller-manager');
  const token = opts.token ?? (opts.tokenFile ? readFileSync(opts.tokenFile, 'utf8').trim() : process.env.K8TS_TOKEN);
  const client = opts.client ?? clientFromOptions({ server: opts.server ?? '127.0.0.1:6444', token, qps: opts.kubeApiQps, burst: opts.kubeApiBurst });
  const { ops, release } = await componentOps('controller-manager', opts, 10257);
  const manager = new ControllerManager({
    ...opts,
    client,
    leaseClient: client instanceof GrpcClient ? client.unthrottled() : client,
    logger,
    registry: ops.registry,
    // Unlike kube-controller-manager, which exits and leans on its supervisor, a k8ts
    // controller-manager that loses the Lease (an apiserver outage longer than the renew
    // deadline) stops its controllers, drops their caches and campaigns again: the embedded
    // cluster has no supervisor to start it anew.
    onLostLeadership: () => {
      logger.warn({ reason: 'LeaderElectionLost' }, 'leadership lost; controllers stopped, campaigning again');
      opts.onLostLeadership?.();
    },
  });
  ops.addReadyCheck('leader-or-follower', () => true);
  manager.start();
  return {
    manager,
    opsPort: ops.port,
    async stop() {
      await manager.stop();
      if (!opts.client) client.close();
      await release();
    },
  };
}
