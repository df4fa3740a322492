import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentHello as _k8ts_v1_AgentHello, AgentHello__Output as _k8ts_v1_AgentHello__Output } from './k8ts/v1/AgentHello.js';
import type { AgentMessage as _k8ts_v1_AgentMessage, AgentMessage__Output as _k8ts_v1_AgentMessage__Output } from './k8ts/v1/AgentMessage.js';
import type { DeleteRequest as _k8ts_v1_DeleteRequest, DeleteRequest__Output as _k8ts_v1_DeleteRequest__Output } from './k8ts/v1/DeleteRequest.js';
import type { GetRequest as _k8ts_v1_GetRequest, GetRequest__Output as _k8ts_v1_GetRequest__Output } from './k8ts/v1/GetRequest.js';
import type { ListReply as _k8ts_v1_ListReply, ListReply__Output as _k8ts_v1_ListReply__Output } from './k8ts/v1/ListReply.js';
import type { ListRequest as _k8ts_v1_ListRequest, ListRequest__Output as _k8ts_v1_ListRequest__Output } from './k8ts/v1/ListRequest.js';
import type { NodesClient as _k8ts_v1_NodesClient, NodesDefinition as _k8ts_v1_NodesDefinition } from './k8ts/v1/Nodes.js';
import type { ObjectError as _k8ts_v1_ObjectError, ObjectError__Output as _k8ts_v1_ObjectError__Output } from './k8ts/v1/ObjectError.js';
import type { ObjectReply as _k8ts_v1_ObjectReply, ObjectReply__Output as _k8ts_v1_ObjectReply__Output } from './k8ts/v1/ObjectReply.js';
import type { ObjectRequest as _k8ts_v1_ObjectRequest, ObjectRequest__Output as _k8ts_v1_ObjectRequest__Output } from './k8ts/v1/ObjectRequest.js';
import type { ObjectResponse as _k8ts_v1_ObjectResponse, ObjectResponse__Output as _k8ts_v1_ObjectResponse__Output } from './k8ts/v1/ObjectResponse.js';
import type { ObjectsClient as _k8ts_v1_ObjectsClient, ObjectsDefinition as _k8ts_v1_ObjectsDefinition } from './k8ts/v1/Objects.js';
import type { PatchRequest as _k8ts_v1_PatchRequest, PatchRequest__Output as _k8ts_v1_PatchRequest__Output } from './k8ts/v1/PatchRequest.js';
import type { RenewLeaseReply as _k8ts_v1_RenewLeaseReply, RenewLeaseReply__Output as _k8ts_v1_RenewLeaseReply__Output } from './k8ts/v1/RenewLeaseReply.js';
import type { RenewLeaseRequest as _k8ts_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _k8ts_v1_RenewLeaseRequest__Output } from './k8ts/v1/RenewLeaseRequest.js';
import type { ServerMessage as _k8ts_v1_ServerMessage, ServerMessage__Output as _k8ts_v1_ServerMessage__Output } from './k8ts/v1/ServerMessage.js';
import type { StreamClose as _k8ts_v1_StreamClose, StreamClose__Output as _k8ts_v1_StreamClose__Output } from './k8ts/v1/StreamClose.js';
import type { StreamData as _k8ts_v1_StreamData, StreamData__Output as _k8ts_v1_StreamData__Output } from './k8ts/v1/StreamData.js';
import type { StreamOpen as _k8ts_v1_StreamOpen, StreamOpen__Output as _k8ts_v1_StreamOpen__Output } from './k8ts/v1/StreamOpen.js';
import type { WatchEvent as _k8ts_v1_WatchEvent, WatchEvent__Output as _k8ts_v1_WatchEvent__Output } from './k8ts/v1/WatchEvent.js';
import type { WatchRequest as _k8ts_v1_WatchRequest, WatchRequest__Output as _k8ts_v1_WatchRequest__Output } from './k8ts/v1/WatchRequest.js';
import type { WriteRequest as _k8ts_v1_WriteRequest, WriteRequest__Output as _k8ts_v1_WriteRequest__Output } from './k8ts/v1/WriteRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  k8ts: {
    v1: {
      AgentHello: MessageTypeDefinition<_k8ts_v1_AgentHello, _k8ts_v1_AgentHello__Output>
      AgentMessage: MessageTypeDefinition<_k8ts_v1_AgentMessage, _k8ts_v1_AgentMessage__Output>
      DeleteRequest: MessageTypeDefinition<_k8ts_v1_DeleteRequest, _k8ts_v1_DeleteRequest__Output>
      GetRequest: MessageTypeDefinition<_k8ts_v1_GetRequest, _k8ts_v1_GetRequest__Output>
      ListReply: MessageTypeDefinition<_k8ts_v1_ListReply, _k8ts_v1_ListReply__Output>
      ListRequest: MessageTypeDefinition<_k8ts_v1_ListRequest, _k8ts_v1_ListRequest__Output>
      Nodes: SubtypeConstructor<typeof grpc.Client, _k8ts_v1_NodesClient> & { service: _k8ts_v1_NodesDefinition }
      ObjectError: MessageTypeDefinition<_k8ts_v1_ObjectError, _k8ts_v1_ObjectError__Output>
      ObjectReply: MessageTypeDefinition<_k8ts_v1_ObjectReply, _k8ts_v1_ObjectReply__Output>
      ObjectRequest: MessageTypeDefinition<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectRequest__Output>
      ObjectResponse: MessageTypeDefinition<_k8ts_v1_ObjectResponse, _k8ts_v1_ObjectResponse__Output>
      Objects: SubtypeConstructor<typeof grpc.Client, _k8ts_v1_ObjectsClient> & { service: _k8ts_v1_ObjectsDefinition }
      PatchRequest: MessageTypeDefinition<_k8ts_v1_PatchRequest, _k8ts_v1_PatchRequest__Output>
      RenewLeaseReply: MessageTypeDefinition<_k8ts_v1_RenewLeaseReply, _k8ts_v1_RenewLeaseReply__Output>
      RenewLeaseRequest: MessageTypeDefinition<_k8ts_v1_RenewLeaseRequest, _k8ts_v1_RenewLeaseRequest__Output>
      ServerMessage: MessageTypeDefinition<_k8ts_v1_ServerMessage, _k8ts_v1_ServerMessage__Output>
      StreamClose: MessageTypeDefinition<_k8ts_v1_StreamClose, _k8ts_v1_StreamClose__Output>
      StreamData: MessageTypeDefinition<_k8ts_v1_StreamData, _k8ts_v1_StreamData__Output>
      StreamOpen: MessageTypeDefinition<_k8ts_v1_StreamOpen, _k8ts_v1_StreamOpen__Output>
      WatchEvent: MessageTypeDefinition<_k8ts_v1_WatchEvent, _k8ts_v1_WatchEvent__Output>
      WatchRequest: MessageTypeDefinition<_k8ts_v1_WatchRequest, _k8ts_v1_WatchRequest__Output>
      WriteRequest: MessageTypeDefinition<_k8ts_v1_WriteRequest, _k8ts_v1_WriteRequest__Output>
    }
  }
}

