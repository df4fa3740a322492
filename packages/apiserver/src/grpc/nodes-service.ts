// The Nodes service: lease renewal for agents, and the Connect stream handed to the tunnel.
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { badRequest, toApiError, unavailable } from '../registry/errors.js';
import { nowMicroTime } from '../registry/time.js';
import { toServiceError } from './errors.js';
import { unary, type Handler } from './unary.js';
import { userOf, type GrpcContext } from './context.js';

const LEASE_NS = 'kube-node-lease';

/** Writes the node's Lease: holder = node, renewTime = now (MicroTime); creates it when missing. */
export async function renewNodeLease(ctx: GrpcContext, nodeName: string, durationSeconds: number): Promise<string> {
  const r = ctx.registry;
  for (let attempt = 0; attempt < 5; attempt++) {
    const renewTime = nowMicroTime();
    let lease: KubeObject | undefined;
    try {
      lease = await r.get('leases', LEASE_NS, nodeName);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    try {
      if (!lease) {
        const fresh: KubeObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: nodeName, namespace: LEASE_NS },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime },
        };
        // The kubelet makes its Node the owner, so the lease goes with the node.
        try {
          const node = await r.get('nodes', '', nodeName);
          (fresh.metadata as any).ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }];
        } catch {
          // not registered yet: the lease stands alone
        }
        await r.create('leases', LEASE_NS, fresh);
      } else {
        lease.spec = { ...(lease.spec ?? {}), holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime };
        await r.update('leases', LEASE_NS, nodeName, lease);
      }
      return renewTime;
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) continue;
      throw err;
    }
  }
  throw unavailable(`could not renew the lease of node ${nodeName}: too many conflicts`);
}

/** RenewLease, as a unary call and as a message on the Exchange stream. */
export function renewLeaseHandler(ctx: GrpcContext): Handler {
  return async (req: any) => {
    if (!req.node_name) throw badRequest('node_name is required');
    const duration = req.lease_duration_seconds > 0 ? req.lease_duration_seconds : 40;
    return { renew_time: await renewNodeLease(ctx, req.node_name, duration) };
  };
}

export function nodesService(ctx: GrpcContext): grpc.UntypedServiceImplementation {
  return {
    RenewLease: unary(ctx, 'renewlease', renewLeaseHandler(ctx)),
    Connect: (call: grpc.ServerDuplexStream<any, any>) => {
      try {
        userOf(ctx, call);
      } catch (err) {
        call.emit('error', toServiceError(toApiError(err)));
        return;
      }
      if (!ctx.tunnel) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'this apiserver has no agent tunnel' });
        return;
      }
      const tunnel = ctx.tunnel;
      call.once('data', (msg: any) => {
        const node = msg?.hello?.node_name;
        if (!node) {
          call.emit('error', toServiceError(badRequest('the first message on Connect must be a hello with node_name')));
          return;
        }
        tunnel.attach(node, call);
      });
    },
  };
}
