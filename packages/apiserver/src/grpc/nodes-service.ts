// The Nodes service: lease renewal for agents, and the Connect stream handed to the tunnel.
import * as grpc from '@grpc/grpc-js';
import type { proto } from '@k8ts/client';
import { badRequest, toApiError } from '../registry/errors.js';
import { nodeLeasesOf } from './node-leases.js';
import { toServiceError } from './errors.js';
import { unary, type Handler } from './unary.js';
import { userOf, type GrpcContext } from './context.js';
import type { RequestUser } from '../registry/types.js';

/** Writes the node's Lease: holder = node, renewTime = now (MicroTime); creates it when missing. */
export function renewNodeLease(ctx: GrpcContext, nodeName: string, durationSeconds: number): Promise<string> {
  return nodeLeasesOf(ctx.registry).renew(nodeName, durationSeconds);
}

/** RenewLease, as a unary call and as a message on the Exchange stream. */
export function renewLeaseHandler(ctx: GrpcContext): Handler<proto.RenewLeaseRequest__Output, proto.RenewLeaseReply> {
  return async (req) => {
    if (!req.node_name) throw badRequest('node_name is required');
    const duration = req.lease_duration_seconds > 0 ? req.lease_duration_seconds : 40;
    return { renew_time: await renewNodeLease(ctx, req.node_name, duration) };
  };
}

export function nodesService(ctx: GrpcContext): proto.NodesHandlers {
  return {
    RenewLease: unary(ctx, 'renewlease', renewLeaseHandler(ctx)),
    Connect: (call) => {
      // The hello is read only once the caller is known (the stream buffers it meanwhile).
      userOf(ctx, call).then(
        (user) => connect(ctx, call, user),
        (err) => call.emit('error', toServiceError(toApiError(err))),
      );
    },
  };
}

/** The tunnel takes the stream over after its hello. */
function connect(ctx: GrpcContext, call: grpc.ServerDuplexStream<proto.AgentMessage__Output, proto.ServerMessage>, _user: RequestUser): void {
  if (!ctx.tunnel) {
    call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'this apiserver has no agent tunnel' });
    return;
  }
  const tunnel = ctx.tunnel;
  call.once('data', (msg: proto.AgentMessage__Output) => {
    const node = msg.hello?.node_name;
    if (!node) {
      call.emit('error', toServiceError(badRequest('the first message on Connect must be a hello with node_name')));
      return;
    }
    tunnel.attach(node, call);
  });
}
