// Docker's container events for this node (start, die, oom, destroy), as a stream that
// reconnects after a break; a missed event is repaired by the sync loop's relist.
import type Docker from 'dockerode';
import { L } from '../labels.js';
import type { RuntimeEvent } from '../container-runtime.js';

function parseLine(line: string): RuntimeEvent | undefined {
  try {
    const ev = JSON.parse(line) as { Action: string; id?: string; Actor?: { ID: string; Attributes?: Record<string, string> } };
    const attrs = ev.Actor?.Attributes ?? {};
    const code = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
    return { action: ev.Action, id: ev.Actor?.ID ?? ev.id ?? '', podUid: attrs[L.podUid] ?? '', exitCode: code };
  } catch {
    return undefined; // a partial or foreign line
  }
}

export function watchDockerEvents(docker: Docker, nodeName: string, onEvent: (ev: RuntimeEvent) => void, onError?: (e: Error) => void): { stop(): void } {
  let stopped = false;
  let current: NodeJS.ReadableStream | undefined;
  const follow = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve) => {
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          const ev = line ? parseLine(line) : undefined;
          if (ev) onEvent(ev);
        }
      });
      stream.on('end', () => resolve());
      stream.on('error', () => resolve());
      stream.on('close', () => resolve());
    });
  const connect = async () => {
    while (!stopped) {
      try {
        const filters = { type: ['container'], event: ['start', 'die', 'oom', 'destroy'], label: [`${L.node}=${nodeName}`] };
        current = (await docker.getEvents({ filters: JSON.stringify(filters) as unknown as Record<string, string[]> })) as NodeJS.ReadableStream;
        await follow(current);
      } catch (e) {
        onError?.(e as Error);
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void connect();
  return {
    stop() {
      stopped = true;
      (current as unknown as { destroy?: () => void })?.destroy?.();
    },
  };
}
