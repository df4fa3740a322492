// List, then watch from the list's resourceVersion, over REST as the admin (exempt from the
// request limits, so the monitor sees the cluster however hard it is flooded); a watch that
// ends is resumed, a 410 relists. Every object seen goes to `onObject`.
import https from 'node:https';
import type { ClientRequest } from 'node:http';
import type { ApiClient } from '../http.js';

export type OnObject = (type: 'LISTED' | 'ADDED' | 'MODIFIED' | 'DELETED', obj: any) => void;

export class ListWatch {
  private running = false;
  private req?: ClientRequest;
  private loop?: Promise<void>;
  /** Times the watch had to be resumed or relisted. */
  restarts = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly path: string,
    private readonly onObject: OnObject,
  ) {}

  async list(): Promise<string> {
    const list = await this.client.json('GET', this.path);
    for (const item of list.items) this.onObject('LISTED', item);
    return list.metadata.resourceVersion as string;
  }

  async start(): Promise<void> {
    this.running = true;
    const rv = await this.list();
    this.loop = this.watchLoop(rv);
  }

  private async watchLoop(rv: string | undefined): Promise<void> {
    while (this.running) {
      try {
        rv ??= await this.list();
        rv = await this.watch(rv);
      } catch {
        rv = undefined;
        if (this.running) await new Promise((r) => setTimeout(r, 500));
      }
      if (this.running) this.restarts++;
    }
  }

  /** Watches until the stream ends; the resourceVersion to resume from, or undefined to relist. */
  private watch(rv: string): Promise<string | undefined> {
    const c = this.client;
    return new Promise((resolve, reject) => {
      let last: string | undefined = rv;
      let buf = '';
      this.req = https.get({ hostname: c.url.hostname, port: c.url.port, path: `${this.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, headers: c.headers(), agent: false, ca: c.ca }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return resolve(undefined);
        }
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === 'ERROR') last = undefined;
            else {
              last = ev.object?.metadata?.resourceVersion ?? last;
              if (ev.type !== 'BOOKMARK') this.onObject(ev.type, ev.object);
            }
          }
        });
        res.on('end', () => resolve(last));
        res.on('error', reject);
      });
      this.req.on('error', reject);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.req?.destroy();
    await this.loop;
  }
}
