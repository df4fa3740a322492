// A pino logger whose lines a test can read back (parsed), to check what was logged.
import { Writable } from 'node:stream';
import pino from 'pino';

export function capturedLogger(level: pino.Level = 'warn'): { logger: pino.Logger; lines: any[] } {
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
