import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { directStream, frameWriter, framedWatchBatch, framedWatchEvent, grpcFrame, messageOf } from './watch-frames.js';
import { loadK8tsProto } from './proto.js';

// A server-streaming method with raw bytes each way, served by grpc-js as the apiserver's Watch is.
const bytes = (b: Buffer) => b;
const METHOD = { path: '/test.Frames/Stream', requestStream: false, responseStream: true, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes };
const SERVICE = { Stream: METHOD } as unknown as grpc.ServiceDefinition;
type Handler = (call: grpc.ServerWritableStream<Buffer, Buffer>) => void;

describe('gRPC watch frames', () => {
  let handler: Handler = () => undefined;
  const server = new grpc.Server();
  let client: grpc.Client;

  before(async () => {
    server.addService(SERVICE, { Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => handler(call) });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client.close();
    server.forceShutdown();
  });

  /** The messages the client reads and the call's status. */
  const stream = () =>
    new Promise<{ messages: string[]; code: number }>((resolve) => {
      const messages: string[] = [];
      const call = client.makeServerStreamRequest(METHOD.path, bytes, bytes, Buffer.alloc(0));
      call.on('data', (b: Buffer) => messages.push(b.toString()));
      call.on('error', () => undefined);
      call.on('status', (s: grpc.StatusObject) => resolve({ messages, code: s.code }));
    });

  it('writes straight to the HTTP/2 stream once the headers are out (the grpc-js internals it relies on are there)', async () => {
    let direct: unknown;
    handler = (call) => {
      call.sendMetadata(new grpc.Metadata());
      direct = directStream(call);
      const w = frameWriter(call, 1 << 20);
      assert.equal(w.write(grpcFrame(Buffer.from('one'))), true);
      w.write(grpcFrame(Buffer.from('two')));
      call.end();
    };
    const got = await stream();
    assert.ok(direct, 'this grpc-js version exposes the call’s stream and metadataSent: the fast path is taken');
    assert.deepEqual(got, { messages: ['one', 'two'], code: grpc.status.OK });
  });

  it('keeps the order when grpc-js still holds messages written before the headers', async () => {
    handler = (call) => {
      const w = frameWriter(call, 1 << 20);
      assert.equal(directStream(call), undefined, 'no headers yet');
      w.write(grpcFrame(Buffer.from('a')));
      w.write(grpcFrame(Buffer.from('b')));
      setImmediate(() => {
        w.write(grpcFrame(Buffer.from('c')));
        setTimeout(() => {
          w.write(grpcFrame(Buffer.from('d')));
          call.end();
        }, 20);
      });
    };
    assert.deepEqual(await stream(), { messages: ['a', 'b', 'c', 'd'], code: grpc.status.OK });
  });

  it('says when a watcher holds more than the backlog allowed', async () => {
    let answer: boolean | undefined;
    handler = (call) => {
      call.sendMetadata(new grpc.Metadata());
      answer = frameWriter(call, 10).write(grpcFrame(Buffer.alloc(100, 120)));
      call.end();
    };
    await stream();
    assert.equal(answer, false);
  });

  it('a write after the client went away is dropped, never an uncaught error', async () => {
    let late: boolean | undefined;
    const written = new Promise<void>((resolve) => {
      handler = (call) => {
        call.sendMetadata(new grpc.Metadata());
        const w = frameWriter(call, 1 << 20);
        w.write(grpcFrame(Buffer.from('first')));
        call.on('cancelled', () =>
          setImmediate(() => {
            late = w.write(grpcFrame(Buffer.from('late')));
            setTimeout(resolve, 50);
          }),
        );
      };
    });
    const call = client.makeServerStreamRequest(METHOD.path, bytes, bytes, Buffer.alloc(0));
    call.on('error', () => undefined);
    call.once('data', () => call.cancel());
    await written;
    assert.equal(late, true);
  });

  it('frames a WatchEvent once per event, and batches the messages of several', () => {
    const decode = loadK8tsProto().Objects.service.Watch.responseDeserialize;
    const ev = { type: 'ADDED' as const, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '3' } } };
    const frame = framedWatchEvent(ev);
    assert.equal(framedWatchEvent(ev), frame);
    assert.equal(frame[0], 0);
    assert.equal(frame.readUInt32BE(1), frame.length - 5);
    assert.equal(frame.buffer.byteLength, frame.length, 'in memory of its own, not a slice of Node’s pool');
    const one = decode(messageOf(frame)) as { type: string; json: string };
    assert.equal(one.type, 'ADDED');
    assert.deepEqual(JSON.parse(one.json), ev.object);
    const ev2 = { type: 'DELETED' as const, object: { ...ev.object, metadata: { name: 'y', resourceVersion: '4' } } };
    const batch = decode(messageOf(framedWatchBatch([frame, framedWatchEvent(ev2)]))) as { batch: { type: string; json: string }[] };
    assert.deepEqual(batch.batch.map((e) => [e.type, JSON.parse(e.json).metadata.name]), [['ADDED', 'x'], ['DELETED', 'y']]);
  });
});
