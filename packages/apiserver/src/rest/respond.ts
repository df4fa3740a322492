// Writing answers: JSON (or YAML when asked), Status errors, and objects or lists in the
// representation the client negotiated (object, Table, PartialObjectMetadata).
import type { ServerResponse } from 'node:http';
import YAML from 'yaml';
import type { Logger } from 'pino';
import type { KubeList, KubeObject, Status } from '@k8ts/api';
import type { Output } from './negotiate.js';
import { toTable, partialObjectMetadata, type IncludeObject } from './tables/index.js';
import { badRequest } from './status.js';
import { cachedJson } from '../storage/codec.js';
import { noteSentBody } from './audit.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, yaml = false): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // A written object comes with the JSON its write already made.
  const text = yaml ? YAML.stringify(body) : (cachedJson(body) ?? JSON.stringify(body));
  noteSentBody(res, body, yaml ? undefined : text);
  res.writeHead(code, {
    'Content-Type': yaml ? 'application/yaml' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  // A 429 (or a 503) says when to come back; client-go waits that long and retries.
  const retry = status.details?.retryAfterSeconds;
  if (retry && !res.headersSent) res.setHeader('Retry-After', String(retry));
  sendJson(res, status.code ?? 500, status);
}

export function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (!v) return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
}

function isStatus(obj: unknown): boolean {
  return !!obj && typeof obj === 'object' && (obj as { kind?: string }).kind === 'Status';
}

/** One object in the negotiated representation. */
export function renderObject(resource: string, obj: KubeObject, output: Output, q: URLSearchParams, logger?: Logger): unknown {
  if (isStatus(obj)) return obj;
  if (output.as === 'table') {
    return toTable(resource, [obj], { version: output.version, includeObject: includeObjectParam(q), resourceVersion: obj.metadata?.resourceVersion, logger });
  }
  if (output.as === 'partial') return partialObjectMetadata(obj, output.version);
  return obj;
}

export function renderList(resource: string, list: KubeList, output: Output, q: URLSearchParams, logger?: Logger): unknown {
  if (output.as === 'table') {
    return toTable(resource, list.items, {
      logger,
      version: output.version,
      includeObject: includeObjectParam(q),
      resourceVersion: list.metadata?.resourceVersion,
      continue: list.metadata?.continue,
      remainingItemCount: list.metadata?.remainingItemCount,
    });
  }
  if (output.as === 'partial') {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${output.version}`,
      metadata: list.metadata,
      items: list.items.map((o) => partialObjectMetadata(o, output.version)),
    };
  }
  return list;
}
