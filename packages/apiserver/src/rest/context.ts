// What every handler of one request needs: the request, its parsed URL and route, the
// caller, the representation it asked for, and the server's dependencies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry, RequestUser } from '../registry/types.js';
import type { StreamTunnel } from '../tunnel/types.js';
import type { RestMetrics } from './metrics.js';
import type { Output } from './negotiate.js';
import type { ResourceRoute } from './route.js';
import type { RequestUrl } from './request-url.js';
import type { Authorization } from '../authz/index.js';

export interface RestDeps {
  registry: Registry;
  logger: Logger;
  metrics: RestMetrics;
  tunnel?: StreamTunnel;
  /** The authorizer chain; absent: every authenticated request is allowed. */
  authorization?: Pick<Authorization, 'refusal'>;
  /** Impersonation headers → the acting user (auth/impersonation.ts); absent: headers ignored. */
  impersonate?: import('../auth/impersonation.js').Impersonator;
}

export interface RequestContext {
  deps: RestDeps;
  req: IncomingMessage;
  res: ServerResponse;
  url: RequestUrl;
  route: ResourceRoute;
  user: RequestUser;
  output: Output;
  /** kube-apiserver's verb for metrics: GET LIST WATCH POST PUT PATCH DELETE DELETECOLLECTION CONNECT. */
  verb: string;
}
