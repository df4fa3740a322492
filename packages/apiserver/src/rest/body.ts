// Request bodies: read with a size cap (3 MiB, as kube-apiserver caps them) and decoded
// from JSON, YAML or Kubernetes protobuf. JSON and YAML are parsed by @k8ts/api's parsers,
// which refuse nesting beyond its cap and report keys an object holds twice.
import type { IncomingMessage } from 'node:http';
import { apiError, parseJsonText, parseYamlText } from '@k8ts/api';
import { badRequest, tooLarge, unsupportedMediaType } from './status.js';
import { decodeProtobufObject } from './protobuf/envelope.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** A body that takes longer than this is cut off (kube-apiserver's request timeout is 60 s). */
export let BODY_TIMEOUT_MS = 60_000;

/** For tests of slow bodies. */
export function setBodyTimeoutMs(ms: number): void {
  BODY_TIMEOUT_MS = ms;
}

function bodyTimeout(ms: number) {
  return apiError(408, 'Timeout', `the request body was not received within ${ms / 1000}s`);
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES, timeoutMs = BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  // Plain events rather than an async iterator: this runs for every write request.
  if (req.readableEnded) return Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    let ended = false;
    // A client trickling its body holds a socket and buffers for as long as it likes otherwise.
    const timer = setTimeout(() => {
      if (failed || ended) return;
      failed = true;
      req.off('data', onData);
      reject(bodyTimeout(timeoutMs));
      // The answer goes out first; then the connection, whose body never ended, is closed.
      setTimeout(() => req.socket?.destroy(), 200).unref();
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        clearTimeout(timer);
        req.off('data', onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      ended = true;
      clearTimeout(timer);
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      if (!failed && !ended) reject(err);
    });
    req.once('close', () => {
      clearTimeout(timer);
      if (!failed && !ended) reject(new Error('the client closed the request before its body ended'));
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** An object body in any format the server accepts; keys it holds twice are added to `duplicates`. */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined, duplicates?: string[]): Record<string, unknown> {
  const type = mediaType(contentType);
  if (buf.length === 0) throw badRequest('the body of the request was empty');
  let value: unknown;
  if (type === 'application/vnd.kubernetes.protobuf') {
    value = decodeProtobufObject(buf);
  } else if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    value = parseYaml(buf.toString('utf8'), duplicates);
  } else if (type === 'application/json' || type === '' || type === '*/*') {
    value = parseJson(buf.toString('utf8'), duplicates);
  } else {
    throw unsupportedMediaType(type);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest("Object 'Kind' is missing in the request body");
  }
  return value as Record<string, unknown>;
}

export function parseJson(text: string, duplicates?: string[]): unknown {
  try {
    const parsed = parseJsonText(text);
    if (parsed.duplicates.length) duplicates?.push(...parsed.duplicates);
    return parsed.value;
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function parseYaml(text: string, duplicates?: string[]): unknown {
  try {
    const parsed = parseYamlText(text);
    if (parsed.duplicates.length) duplicates?.push(...parsed.duplicates);
    return parsed.value;
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** An optional body, e.g. DeleteOptions on DELETE. */
export function decodeOptionalBody(buf: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  if (buf.length === 0 || buf.toString('utf8').trim() === '') return undefined;
  return decodeObjectBody(buf, contentType);
}
