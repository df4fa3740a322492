// The Nodes service: lease renewal for agents, and the Connect stream handed to the tunnel.
import * as grpc from '@grpc/grpc-js';
import type { proto } from '@k8ts/client';
import { badRequest, toApiError } from '../registry/errors.js';
import { nodeLeasesOf } from './node-leases.js';
import { toServiceError } from './errors.js';
import { unary, type Handler } from './unary.js';
import { userOf, type GrpcContext } from './context.js';
import type { RequestUser } from '../registry/types.js';
import { tunnelRefusal } from './node-tunnel-identity.js';
import type { RequestAudit } from '../audit/request.js';
import { auditGrpcUnauthenticated, beginGrpcAudit } from './audit.js';

/** Writes the node's Lease: holder = node, renewTime = now (MicroTime); creates it when missing. */
export function renewNodeLease(ctx: GrpcContext, nodeName: string, durationSeconds: number, user?: RequestUser): Promise<string> {
  return nodeLeasesOf(ctx.registry).renew(nodeName, durationSeconds, user);
}

/** RenewLease, as a unary call and as a message on the Exchange stream. */
export function renewLeaseHandler(ctx: GrpcContext): Handler<proto.RenewLeaseRequest__Output, proto.RenewLeaseReply> {
  return async (req, user) => {
    if (!req.node_name) throw badRequest('node_name is required');
    const duration = req.lease_duration_seconds > 0 ? req.lease_duration_seconds : 40;
    return { renew_time: await renewNodeLease(ctx, req.node_name, duration, user) };
  };
}

export function nodesService(ctx: GrpcContext): proto.NodesHandlers {
  return {
    RenewLease: unary(ctx, 'renewlease', renewLeaseHandler(ctx)),
    Connect: (call) => {
      const audit = beginGrpcAudit(ctx, call);
      // The hello is read only once the caller is known (the stream buffers it meanwhile).
      userOf(ctx, call).then(
        (user) => connect(ctx, call, user, audit),
        (err) => {
          const e = toApiError(err);
          if (audit) auditGrpcUnauthenticated(audit, undefined, undefined, e, call.getPath());
          call.emit('error', toServiceError(e));
        },
      );
    },
  };
}

/**
 * The audit event of a Connect stream, once its hello names the node: a long-running
 * `create` of the node's `tunnel` (the node authorizer's rule, tunnelRefusal, decides it).
 */
function auditTunnel(audit: RequestAudit, user: RequestUser, node: string): void {
  audit.evaluate(user, { verb: 'create', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'nodes', subresource: 'tunnel', namespace: '', name: node });
  audit.longRunning = true;
}

/** The tunnel takes the stream over after its hello. */
function connect(ctx: GrpcContext, call: grpc.ServerDuplexStream<proto.AgentMessage__Output, proto.ServerMessage>, user: RequestUser, audit: RequestAudit | undefined): void {
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
    if (audit) auditTunnel(audit, user, node);
    // Only the node itself (or an admin) may hold its tunnel: an impostor's hello would
    // replace the real agent's stream and receive its logs and exec stdin.
    const refusal = tunnelRefusal(user, node);
    audit?.decided(!refusal, refusal ? refusal.message : '');
    if (refusal) {
      audit?.complete(refusal.code, refusal.status);
      call.emit('error', toServiceError(refusal));
      return;
    }
    if (audit) {
      audit.responseStarted(200);
      const done = () => audit.complete();
      call.once('end', done);
      call.once('cancelled', done);
      call.once('error', done);
      call.once('close', done);
    }
    tunnel.attach(node, call);
  });
}
