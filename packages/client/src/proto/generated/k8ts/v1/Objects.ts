// Original file: proto/k8ts.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeleteRequest as _k8ts_v1_DeleteRequest, DeleteRequest__Output as _k8ts_v1_DeleteRequest__Output } from '../../k8ts/v1/DeleteRequest.js';
import type { GetRequest as _k8ts_v1_GetRequest, GetRequest__Output as _k8ts_v1_GetRequest__Output } from '../../k8ts/v1/GetRequest.js';
import type { ListReply as _k8ts_v1_ListReply, ListReply__Output as _k8ts_v1_ListReply__Output } from '../../k8ts/v1/ListReply.js';
import type { ListRequest as _k8ts_v1_ListRequest, ListRequest__Output as _k8ts_v1_ListRequest__Output } from '../../k8ts/v1/ListRequest.js';
import type { ObjectReply as _k8ts_v1_ObjectReply, ObjectReply__Output as _k8ts_v1_ObjectReply__Output } from '../../k8ts/v1/ObjectReply.js';
import type { ObjectRequest as _k8ts_v1_ObjectRequest, ObjectRequest__Output as _k8ts_v1_ObjectRequest__Output } from '../../k8ts/v1/ObjectRequest.js';
import type { ObjectResponse as _k8ts_v1_ObjectResponse, ObjectResponse__Output as _k8ts_v1_ObjectResponse__Output } from '../../k8ts/v1/ObjectResponse.js';
import type { PatchRequest as _k8ts_v1_PatchRequest, PatchRequest__Output as _k8ts_v1_PatchRequest__Output } from '../../k8ts/v1/PatchRequest.js';
import type { WatchEvent as _k8ts_v1_WatchEvent, WatchEvent__Output as _k8ts_v1_WatchEvent__Output } from '../../k8ts/v1/WatchEvent.js';
import type { WatchRequest as _k8ts_v1_WatchRequest, WatchRequest__Output as _k8ts_v1_WatchRequest__Output } from '../../k8ts/v1/WatchRequest.js';
import type { WriteRequest as _k8ts_v1_WriteRequest, WriteRequest__Output as _k8ts_v1_WriteRequest__Output } from '../../k8ts/v1/WriteRequest.js';

export interface ObjectsClient extends grpc.Client {
  Create(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Create(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Create(argument: _k8ts_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Create(argument: _k8ts_v1_WriteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  create(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  create(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  create(argument: _k8ts_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  create(argument: _k8ts_v1_WriteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _k8ts_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _k8ts_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _k8ts_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _k8ts_v1_DeleteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _k8ts_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _k8ts_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _k8ts_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _k8ts_v1_DeleteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  
  Exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectResponse__Output>;
  Exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectResponse__Output>;
  exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectResponse__Output>;
  exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectResponse__Output>;
  
  Get(argument: _k8ts_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _k8ts_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _k8ts_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _k8ts_v1_GetRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  get(argument: _k8ts_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  get(argument: _k8ts_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  get(argument: _k8ts_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  get(argument: _k8ts_v1_GetRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  
  List(argument: _k8ts_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  List(argument: _k8ts_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  List(argument: _k8ts_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  List(argument: _k8ts_v1_ListRequest, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  list(argument: _k8ts_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  list(argument: _k8ts_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  list(argument: _k8ts_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  list(argument: _k8ts_v1_ListRequest, callback: grpc.requestCallback<_k8ts_v1_ListReply__Output>): grpc.ClientUnaryCall;
  
  Patch(argument: _k8ts_v1_PatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Patch(argument: _k8ts_v1_PatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Patch(argument: _k8ts_v1_PatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Patch(argument: _k8ts_v1_PatchRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  patch(argument: _k8ts_v1_PatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  patch(argument: _k8ts_v1_PatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  patch(argument: _k8ts_v1_PatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  patch(argument: _k8ts_v1_PatchRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  
  Update(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Update(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Update(argument: _k8ts_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  Update(argument: _k8ts_v1_WriteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  update(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  update(argument: _k8ts_v1_WriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  update(argument: _k8ts_v1_WriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  update(argument: _k8ts_v1_WriteRequest, callback: grpc.requestCallback<_k8ts_v1_ObjectReply__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _k8ts_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_k8ts_v1_WatchEvent__Output>;
  Watch(argument: _k8ts_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_k8ts_v1_WatchEvent__Output>;
  watch(argument: _k8ts_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_k8ts_v1_WatchEvent__Output>;
  watch(argument: _k8ts_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_k8ts_v1_WatchEvent__Output>;
  
}

export interface ObjectsHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_k8ts_v1_WriteRequest__Output, _k8ts_v1_ObjectReply>;
  
  Delete: grpc.handleUnaryCall<_k8ts_v1_DeleteRequest__Output, _k8ts_v1_ObjectReply>;
  
  Exchange: grpc.handleBidiStreamingCall<_k8ts_v1_ObjectRequest__Output, _k8ts_v1_ObjectResponse>;
  
  Get: grpc.handleUnaryCall<_k8ts_v1_GetRequest__Output, _k8ts_v1_ObjectReply>;
  
  List: grpc.handleUnaryCall<_k8ts_v1_ListRequest__Output, _k8ts_v1_ListReply>;
  
  Patch: grpc.handleUnaryCall<_k8ts_v1_PatchRequest__Output, _k8ts_v1_ObjectReply>;
  
  Update: grpc.handleUnaryCall<_k8ts_v1_WriteRequest__Output, _k8ts_v1_ObjectReply>;
  
  Watch: grpc.handleServerStreamingCall<_k8ts_v1_WatchRequest__Output, _k8ts_v1_WatchEvent>;
  
}

export interface ObjectsDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_k8ts_v1_WriteRequest, _k8ts_v1_ObjectReply, _k8ts_v1_WriteRequest__Output, _k8ts_v1_ObjectReply__Output>
  Delete: MethodDefinition<_k8ts_v1_DeleteRequest, _k8ts_v1_ObjectReply, _k8ts_v1_DeleteRequest__Output, _k8ts_v1_ObjectReply__Output>
  Exchange: MethodDefinition<_k8ts_v1_ObjectRequest, _k8ts_v1_ObjectResponse, _k8ts_v1_ObjectRequest__Output, _k8ts_v1_ObjectResponse__Output>
  Get: MethodDefinition<_k8ts_v1_GetRequest, _k8ts_v1_ObjectReply, _k8ts_v1_GetRequest__Output, _k8ts_v1_ObjectReply__Output>
  List: MethodDefinition<_k8ts_v1_ListRequest, _k8ts_v1_ListReply, _k8ts_v1_ListRequest__Output, _k8ts_v1_ListReply__Output>
  Patch: MethodDefinition<_k8ts_v1_PatchRequest, _k8ts_v1_ObjectReply, _k8ts_v1_PatchRequest__Output, _k8ts_v1_ObjectReply__Output>
  Update: MethodDefinition<_k8ts_v1_WriteRequest, _k8ts_v1_ObjectReply, _k8ts_v1_WriteRequest__Output, _k8ts_v1_ObjectReply__Output>
  Watch: MethodDefinition<_k8ts_v1_WatchRequest, _k8ts_v1_WatchEvent, _k8ts_v1_WatchRequest__Output, _k8ts_v1_WatchEvent__Output>
}
