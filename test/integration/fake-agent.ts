// An agent's side of Nodes.Connect, as a real gRPC client: says hello for a node, then
// answers the apiserver's stream requests without Docker. log: two lines (or a failure
// Status for container "missing"); exec/attach: `echo ARGS` prints ARGS, `exit N` ends
// with NonZeroExitCode, `cat` echoes stdin until stdin closes, `stderr MSG` writes MSG to
// stderr; portforward: an echo of every byte sent.
import * as grpc from '@grpc/grpc-js';
import { loadK8tsProto } from '@k8ts/apiserver';

export interface FakeAgent {
  opened: { kind: string; pod: string; params: Record<string, unknown> }[];
  close(): void;
}

function status(code: number, reason: string, message: string, causes?: unknown[]): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(causes ? { details: { causes } } : {}) });
}

export async function startFakeAgent(grpcAddress: string, token: string, nodeName: string): Promise<FakeAgent> {
  const proto = loadK8tsProto();
  const client = new proto.Nodes(grpcAddress, grpc.credentials.createInsecure()) as any;
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  const call = client.Connect(md);
  const opened: FakeAgent['opened'] = [];
  const send = (stream_id: string, msg: Record<string, unknown>) => call.write({ stream_id, ...msg });
  const data = (id: string, channel: number, text: string | Buffer) => send(id, { data: { channel, data: Buffer.isBuffer(text) ? text : Buffer.from(text) } });
  const close = (id: string, status_json = '') => send(id, { close: { status_json } });
  const cats = new Set<string>();
  const forwards = new Set<string>();

  call.on('data', (msg: any) => {
    const id = msg.stream_id;
    if (msg.open) {
      const params = JSON.parse(msg.open.params_json || '{}');
      opened.push({ kind: msg.open.kind, pod: msg.open.pod, params });
      switch (msg.open.kind) {
        case 'log':
          if (params.container === 'missing') return close(id, status(400, 'BadRequest', 'container "missing" in pod is waiting to start: ContainerCreating'));
          data(id, 1, `log line 1 from ${params.container}\nlog line 2\n`);
          if (!params.follow) return close(id);
          setTimeout(() => {
            data(id, 1, 'log line 3\n');
            close(id);
          }, 300);
          return;
        case 'exec':
        case 'attach': {
          const [cmd, ...args] = (params.command ?? ['cat']) as string[];
          if (cmd === 'echo') {
            data(id, 1, `${args.join(' ')}\n`);
            return close(id);
          }
          if (cmd === 'stderr') {
            data(id, 2, `${args.join(' ')}\n`);
            return close(id);
          }
          if (cmd === 'exit') {
            const code = Number(args[0] ?? 1);
            return close(id, status(500, 'NonZeroExitCode', `command terminated with non-zero exit code: error executing command [exit ${code}], exit code ${code}`, [{ reason: 'ExitCode', message: String(code) }]));
          }
          cats.add(id);
          return;
        }
        case 'portforward':
          forwards.add(id);
          return;
      }
      return;
    }
    if (msg.data) {
      const buf: Buffer = msg.data.data;
      if (msg.data.channel === 255) {
        // stdin (or the forwarded connection's client side) closed
        if (cats.has(id) || forwards.has(id)) {
          cats.delete(id);
          forwards.delete(id);
          close(id);
        }
        return;
      }
      if (cats.has(id) && msg.data.channel === 0) data(id, 1, buf);
      if (forwards.has(id)) data(id, 0, buf);
      return;
    }
    if (msg.close) {
      cats.delete(id);
      forwards.delete(id);
    }
  });
  call.on('error', () => undefined);
  call.write({ stream_id: '', hello: { node_name: nodeName } });
  // Connected once the server has attached it; give the hello a moment to arrive.
  await new Promise((r) => setTimeout(r, 200));
  return {
    opened,
    close() {
      call.end();
      call.cancel();
      client.close();
    },
  };
}
