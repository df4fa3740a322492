// The documents the REST server answers without the registry: OpenAPI (v2 JSON or protobuf,
// v3 index and group documents) and discovery (legacy or aggregated).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from './route.js';
import { aggregatedDiscovery as wantsAggregated } from './negotiate.js';
import { apiVersions, apiGroupList, apiGroup, apiResourceList, aggregatedDiscovery } from './discovery.js';
import { openapiV3Index, openapiV3Document } from './openapi.js';
import { openapiV2Protobuf, openapiV2Json } from './openapi-v2.js';
import { sendJson, sendStatus, sendText } from './respond.js';
import { notFoundPath } from './status.js';

/** Answers an OpenAPI path; false when `path` is not one. */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path === '/openapi/v2') {
    if ((req.headers.accept ?? '').includes('protobuf')) {
      const body = openapiV2Protobuf();
      // Go's mime parser rejects the '@' of the media type kubectl asks for.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
    } else sendText(res, 200, openapiV2Json(), 'application/json');
    return true;
  }
  if (path === '/openapi/v3') {
    sendText(res, 200, openapiV3Index(), 'application/json');
    return true;
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = openapiV3Document(path.slice('/openapi/v3/'.length));
    if (!doc) sendStatus(res, notFoundPath().status);
    else sendText(res, 200, doc, 'application/json');
    return true;
  }
  return false;
}

type DiscoveryRoute = Extract<Route, { type: 'apiVersions' | 'apiGroups' | 'apiGroup' | 'resourceList' }>;

/** Answers a discovery route: /api, /apis (legacy or aggregated), a group, a group version. */
export function serveDiscovery(req: IncomingMessage, res: ServerResponse, route: DiscoveryRoute): void {
  if (route.type === 'apiGroup') {
    const doc = apiGroup(route.group);
    return doc ? sendJson(res, 200, doc) : sendStatus(res, notFoundPath().status);
  }
  if (route.type === 'resourceList') {
    const doc = apiResourceList(route.group, route.version);
    return doc ? sendJson(res, 200, doc) : sendStatus(res, notFoundPath().status);
  }
  const aggregated = wantsAggregated(req.headers.accept);
  if (aggregated) {
    const body = JSON.stringify(aggregatedDiscovery(route.type === 'apiVersions', aggregated));
    res.writeHead(200, {
      'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
      'Content-Length': Buffer.byteLength(body),
      Vary: 'Accept',
    });
    res.end(body);
    return;
  }
  const local = `${req.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  sendJson(res, 200, route.type === 'apiVersions' ? apiVersions(local) : apiGroupList());
}
