// A gRPC watch's events as bytes: each event's WatchEvent message encoded once however many
// watchers receive it, kept already framed as gRPC frames a message on the wire (a zero byte,
// the length, the message), and written straight to the call's HTTP/2 stream.
// grpc-js writes each message through two Writable streams, its interceptor chain and a copy
// into a new frame; with 1000 watchers that was 17 µs of the apiserver's CPU per delivery
// and 12 µs this way (test/bench/apiserver-creates.ts, 2026-12-08), and the last watcher
// waits for all of them. It relies on two fields of grpc-js's BaseServerInterceptingCall
// (`stream`, `metadataSent`); a grpc-js without them gets every message through call.write,
// and watch-frames.test.ts fails so that the fast path is not lost unnoticed.
import type * as grpc from '@grpc/grpc-js';
import type { ServerHttp2Stream } from 'node:http2';
import protobuf from 'protobufjs';
import type { WatchEvent } from '@k8ts/api';
import { encodeShared } from '../storage/watch-cache/watch-event.js';
import { loadK8tsProto } from './proto.js';

const watchEventSerialize = loadK8tsProto().Objects.service.Watch.responseSerialize;
const framedEvents = new WeakMap<WatchEvent, Buffer>();

/** `message` framed as gRPC sends a message, in memory of its own (it lives as long as its event). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafeSlow(message.length + 5);
  frame[0] = 0; // not compressed
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** The message a frame carries. */
export function messageOf(frame: Buffer): Buffer {
  return frame.subarray(5);
}

/** The framed WatchEvent message of an event, once per event however many watchers receive it. */
export function framedWatchEvent(ev: WatchEvent): Buffer {
  let f = framedEvents.get(ev);
  if (!f) {
    f = grpcFrame(watchEventSerialize({ type: ev.type, json: encodeShared(ev.object) }));
    framedEvents.set(ev, f);
  }
  return f;
}

/** A framed WatchEvent whose `batch` (field 3) holds the given framed events' messages, in order. */
export function framedWatchBatch(frames: Buffer[]): Buffer {
  const w = protobuf.Writer.create();
  for (const f of frames) w.uint32((3 << 3) | 2).bytes(messageOf(f));
  return grpcFrame(w.finish());
}

/** The parts of grpc-js's BaseServerInterceptingCall (what a call's `call` is on a server without interceptors) used here. */
interface BaseCallInternals {
  stream?: unknown;
  metadataSent?: unknown;
}

export interface FrameWriter {
  /** Writes one frame; false when the watcher holds more than `maxBacklog` bytes unread. */
  write(frame: Buffer): boolean;
}

/**
 * Writes frames to a server-streaming call: straight to its HTTP/2 stream once its headers are
 * out and grpc-js holds none of its messages back (so the order holds), else through call.write.
 */
export function frameWriter(call: grpc.ServerWritableStream<unknown, unknown>, maxBacklog: number): FrameWriter {
  let raw: ServerHttp2Stream | undefined;
  return {
    write(frame) {
      if (!raw && (raw = directStream(call))) {
        // grpc-js listens for one 'error' of the stream only: the direct writes add a listener
        // of their own so that no error of theirs can go uncaught (the stream's 'close' ends the watch).
        raw.on('error', () => undefined);
      }
      if (raw) {
        // A stream already gone takes no more: the call's close ends the watch.
        if (raw.destroyed || raw.closed) return true;
        raw.write(frame);
        return raw.writableLength <= maxBacklog;
      }
      return call.write(messageOf(frame)) || call.writableLength <= maxBacklog;
    },
  };
}

/** The call's HTTP/2 stream when writing to it directly keeps grpc-js's order; exported for its test. */
export function directStream(call: grpc.ServerWritableStream<unknown, unknown>): ServerHttp2Stream | undefined {
  const base = (call as unknown as { call?: BaseCallInternals }).call;
  const stream = base?.stream as ServerHttp2Stream | undefined;
  if (base?.metadataSent !== true || !stream || typeof stream.write !== 'function' || typeof stream.respond !== 'function') return undefined;
  if (call.writableLength !== 0 || stream.destroyed) return undefined;
  return stream;
}
