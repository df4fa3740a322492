// Original file: proto/k8ts.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _k8ts_v1_AgentMessage, AgentMessage__Output as _k8ts_v1_AgentMessage__Output } from '../../k8ts/v1/AgentMessage.js';
import type { RenewLeaseReply as _k8ts_v1_RenewLeaseReply, RenewLeaseReply__Output as _k8ts_v1_RenewLeaseReply__Output } from '../../k8ts/v1/RenewLeaseReply.js';
import type { RenewLeaseRequest as _k8ts_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _k8ts_v1_RenewLeaseRequest__Output } from '../../k8ts/v1/RenewLeaseRequest.js';
import type { ServerMessage as _k8ts_v1_ServerMessage, ServerMessage__Output as _k8ts_v1_ServerMessage__Output } from '../../k8ts/v1/ServerMessage.js';

export interface NodesClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_AgentMessage, _k8ts_v1_ServerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_AgentMessage, _k8ts_v1_ServerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_AgentMessage, _k8ts_v1_ServerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_AgentMessage, _k8ts_v1_ServerMessage__Output>;
  
  RenewLease(argument: _k8ts_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _k8ts_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _k8ts_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _k8ts_v1_RenewLeaseRequest, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _k8ts_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _k8ts_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _k8ts_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _k8ts_v1_RenewLeaseRequest, callback: grpc.requestCallback<_k8ts_v1_RenewLeaseReply__Output>): grpc.ClientUnaryCall;
  
}

export interface NodesHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_k8ts_v1_AgentMessage__Output, _k8ts_v1_ServerMessage>;
  
  RenewLease: grpc.handleUnaryCall<_k8ts_v1_RenewLeaseRequest__Output, _k8ts_v1_RenewLeaseReply>;
  
}

export interface NodesDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_k8ts_v1_AgentMessage, _k8ts_v1_ServerMessage, _k8ts_v1_AgentMessage__Output, _k8ts_v1_ServerMessage__Output>
  RenewLease: MethodDefinition<_k8ts_v1_RenewLeaseRequest, _k8ts_v1_RenewLeaseReply, _k8ts_v1_RenewLeaseRequest__Output, _k8ts_v1_RenewLeaseReply__Output>
}
