// Where a component's logs go when it runs detached (`k8ts up`): K8TS_LOG_FILE names a file
// that is rotated by size (K8TS_LOG_MAX_SIZE, default 10M; K8TS_LOG_MAX_FILES old files kept,
// default 5), so a chatty controller cannot fill the disk. One stream per process: every
// logger created in it writes there. Without the variable, logs go to stdout.
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

let stream: RotatingFileStream | undefined;

/** `name.log`, then `name.log.1` (newest old one) … as logrotate names them. */
export function rotatedName(base: string, index: number | null): string {
  return index ? `${base}.${index}` : base;
}

export function logFileStream(env: NodeJS.ProcessEnv = process.env): RotatingFileStream | undefined {
  const file = env.K8TS_LOG_FILE;
  if (!file) return undefined;
  if (stream) return stream;
  const base = basename(file);
  // In classical (logrotate) mode the generator gets the index as its first argument.
  stream = createStream((index) => rotatedName(base, typeof index === 'number' ? index : null), {
    path: dirname(file),
    size: env.K8TS_LOG_MAX_SIZE || '10M',
    // classical rotation: name.log.1 is always the newest old file, at most this many are kept
    rotate: Number(env.K8TS_LOG_MAX_FILES || 5),
  });
  stream.on('error', () => {
    // A log write that fails (disk full) must not take the component down.
  });
  return stream;
}
