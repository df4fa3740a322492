// ServerMessage / AgentMessage of proto/k8ts.proto as plain objects. The gRPC face may load
// the proto with or without keepCase, so fields are read in either spelling and written
// in both (the serializer picks the spelling it knows and ignores the other).

export interface AgentMessageView {
  streamId: string;
  hello?: { nodeName: string };
  data?: { channel: number; data: Buffer };
  close?: { statusJson: string };
}

function pick<T>(o: Record<string, unknown> | undefined, snake: string, camel: string): T | undefined {
  if (!o) return undefined;
  return (o[snake] ?? o[camel]) as T | undefined;
}

export function readAgentMessage(msg: Record<string, unknown>): AgentMessageView {
  const view: AgentMessageView = { streamId: String(pick(msg, 'stream_id', 'streamId') ?? '') };
  const which = msg.msg as string | undefined;
  const hello = msg.hello as Record<string, unknown> | undefined;
  const data = msg.data as Record<string, unknown> | undefined;
  const close = msg.close as Record<string, unknown> | undefined;
  if (hello && (!which || which === 'hello')) view.hello = { nodeName: String(pick(hello, 'node_name', 'nodeName') ?? '') };
  if (data && (!which || which === 'data')) {
    const raw = data.data as Buffer | Uint8Array | string | undefined;
    const buf = raw === undefined ? Buffer.alloc(0) : Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(raw);
    view.data = { channel: Number(data.channel ?? 0), data: buf };
  }
  if (close && (!which || which === 'close')) view.close = { statusJson: String(pick(close, 'status_json', 'statusJson') ?? '') };
  return view;
}

export function openMessage(streamId: string, open: { kind: string; namespace: string; pod: string; podUid: string; paramsJson: string }): Record<string, unknown> {
  return {
    stream_id: streamId,
    streamId,
    open: { kind: open.kind, namespace: open.namespace, pod: open.pod, pod_uid: open.podUid, podUid: open.podUid, params_json: open.paramsJson, paramsJson: open.paramsJson },
  };
}

export function dataMessage(streamId: string, channel: number, data: Buffer): Record<string, unknown> {
  return { stream_id: streamId, streamId, data: { channel, data } };
}

export function closeMessage(streamId: string, statusJson: string): Record<string, unknown> {
  return { stream_id: streamId, streamId, close: { status_json: statusJson, statusJson } };
}
