// The proxy subresources over the real REST face and registry (in-memory etcd), with a
// scripted agent that answers portforward and nodeproxy streams by dialing a loopback HTTP
// server: names and ports, the refusals, redirects, headers both ways, Location rewriting
// and the 503s, without Docker. The real agent path is test/integration/proxy-subresources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startTestRestServer, type TestRestServer } from '../../testing/rest-server.js';
import { splitSchemeNamePort, proxyPath, rawQuery } from './names.js';
import { rewriteLocation, requestHeaders } from './headers.js';
import https from 'node:https';
import { selfSignedCertificate } from '../tls.js';

let rest: TestRestServer;
let backend: http.Server;
let backendPort = 0;
let tlsBackend: https.Server;
let tlsPort = 0;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const opened: any[] = [];

/** An agent's Connect call that dials the backend for every stream it is asked to open. */
class DialingAgent extends EventEmitter {
  private readonly socks = new Map<string, net.Socket>();
  write(msg: any): boolean {
    const id = msg.stream_id;
    if (msg.open) {
      opened.push({ kind: msg.open.kind, pod: msg.open.pod, params: JSON.parse(msg.open.params_json) });
      const params = JSON.parse(msg.open.params_json);
      if (params.port === 9) {
        setImmediate(() => this.emit('data', { stream_id: id, close: { status_json: JSON.stringify({ status: 'Failure', message: 'failed to connect to 10.0.0.9:9: connect ECONNREFUSED' }) } }));
        return true;
      }
      // port 8443 of the pod is the TLS backend, any other the plain one
      const s = net.connect(params.port === 8443 ? tlsPort : backendPort, '127.0.0.1');
      this.socks.set(id, s);
      s.on('data', (b) => this.emit('data', { stream_id: id, data: { channel: 0, data: b } }));
      s.on('close', () => this.emit('data', { stream_id: id, close: { status_json: '' } }));
      s.on('error', () => undefined);
    } else if (msg.data) {
      if (msg.data.channel === 255) this.socks.get(id)?.end();
      else this.socks.get(id)?.write(msg.data.data);
    } else if (msg.close) this.socks.get(id)?.destroy();
    return true;
  }
  end(): void {}
}

async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    if (body !== undefined && !headers['Transfer-Encoding']) headers = { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = http.request(`${rest.base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (b) => (text += b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runningPod(name: string, extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}) {
  const created = await rest.registry.create('pods', 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'k8ts/hello:1.0', ports: [{ name: 'web', containerPort: 8080 }] }], ...extra },
  } as never);
  await rest.registry.update('pods', 'default', name, { ...created, status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], ...status } } as never, { subresource: 'status' });
}

before(async () => {
  rest = await startTestRestServer();
  backend = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b) => (body += b));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/redirect') res.writeHead(302, { Location: '/landing/?x=1', Connection: 'close', 'Keep-Alive': 'timeout=5', 'X-Back': 'yes' }).end();
      else if (req.url === '/away') res.writeHead(302, { Location: 'https://example.com/elsewhere' }).end();
      else res.writeHead(200, { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] }).end(`${req.method} ${req.url} ${body}`);
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as AddressInfo).port;
  tlsBackend = https.createServer(selfSignedCertificate(), (req, res) => res.end(`tls ${req.method} ${req.url}`));
  await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r));
  tlsPort = (tlsBackend.address() as AddressInfo).port;
  rest.hub.attach('node-1', new DialingAgent());
  await runningPod('web');
  await runningPod('pending', {}, { phase: 'Pending', podIP: '' });
  await runningPod('hostnet', { hostNetwork: true });
  const svc = (name: string, spec: Record<string, unknown>) => rest.registry.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec } as never);
  await svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
  await svc('ext', { type: 'ExternalName', externalName: 'example.com' });
  await svc('outside', { ports: [{ port: 80 }] });
  await svc('empty', { selector: { app: 'none' }, ports: [{ port: 80 }] });
  const eps = (name: string, subsets: unknown[]) => rest.registry.create('endpoints', 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets } as never);
  await eps('web', [{ addresses: [{ ip: '10.0.0.5', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web' } }], ports: [{ name: 'http', port: 8080 }] }]);
  await eps('outside', [{ addresses: [{ ip: '169.254.169.254' }], ports: [{ port: 80 }] }]);
  await eps('empty', []);
  await rest.registry.create('nodes', '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } } as never);
  const node = await rest.registry.get('nodes', '', 'node-1');
  await rest.registry.update('nodes', '', 'node-1', { ...node, status: { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } } as never, { subresource: 'status' });
});

after(async () => {
  await rest.stop();
  await new Promise((r) => backend.close(r));
  await new Promise((r) => tlsBackend.close(r));
});

test('names and paths are split as kube-apiserver splits them', () => {
  assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
  assert.deepEqual(splitSchemeNamePort('web:8080'), { scheme: '', name: 'web', port: '8080' });
  assert.deepEqual(splitSchemeNamePort('https:web:443'), { scheme: 'https', name: 'web', port: '443' });
  for (const bad of ['', ':80', 'ftp:web:21', 'a:b:c:d', 'http::80']) assert.equal(splitSchemeNamePort(bad), undefined, bad);
  const route = { group: '', namespace: 'ns' };
  assert.deepEqual(proxyPath('/api/v1/namespaces/ns/pods/p/proxy', route), { prefix: '/api/v1/namespaces/ns/pods/p/proxy', path: '' });
  assert.deepEqual(proxyPath('/api/v1/namespaces/ns/pods/p/proxy/', route), { prefix: '/api/v1/namespaces/ns/pods/p/proxy', path: '/' });
  assert.deepEqual(proxyPath('/api/v1/namespaces/ns/pods/p/proxy/a/b%2Fc/', route), { prefix: '/api/v1/namespaces/ns/pods/p/proxy', path: '/a/b%2Fc/' });
  assert.deepEqual(proxyPath('/api/v1/nodes/n/proxy/metrics', { group: '', namespace: undefined }), { prefix: '/api/v1/nodes/n/proxy', path: '/metrics' });
  assert.equal(rawQuery('/x?a=1&b=%20#f'), '?a=1&b=%20');
});

test('Location rewriting and the headers sent on', () => {
  const prefix = '/api/v1/namespaces/ns/pods/p/proxy';
  assert.equal(rewriteLocation('/login?next=/', prefix, '10.0.0.5:80', 'localhost:8001'), `${prefix}/login?next=/`);
  assert.equal(rewriteLocation('http://10.0.0.5:80/a/', prefix, '10.0.0.5:80', 'localhost:8001'), `${prefix}/a/`);
  assert.equal(rewriteLocation('http://localhost:8001/b', prefix, '10.0.0.5:80', 'localhost:8001'), `${prefix}/b`);
  assert.equal(rewriteLocation(`${prefix}/c`, prefix, '10.0.0.5:80', undefined), `${prefix}/c`);
  assert.equal(rewriteLocation('https://example.com/x', prefix, '10.0.0.5:80', 'localhost:8001'), 'https://example.com/x');
  assert.equal(rewriteLocation('relative/path', prefix, '10.0.0.5:80', undefined), 'relative/path');
  const sent = requestHeaders(['Authorization', 'Bearer t', 'Impersonate-User', 'x', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'Accept', '*/*', 'Host', 'api', 'X-Forwarded-For', '1.2.3.4'], '10.0.0.5:80', '127.0.0.1');
  assert.deepEqual(sent, [['Accept', '*/*'], ['Host', '10.0.0.5:80'], ['X-Forwarded-For', '1.2.3.4, 127.0.0.1']]);
});

test('pods/NAME:PORT/proxy: methods, bodies, query and headers pass; credentials do not', async () => {
  const get = await raw('GET', '/api/v1/namespaces/default/pods/web:8080/proxy/hello/?q=1', undefined, { 'X-Custom': 'v' });
  assert.equal(get.status, 200);
  assert.equal(get.text, 'GET /hello/?q=1 ');
  assert.deepEqual(get.headers['set-cookie'], ['a=1', 'b=2']);
  const last = seen.at(-1)!;
  assert.equal(last.headers['x-custom'], 'v');
  assert.equal(last.headers.host, '10.0.0.5:8080');
  assert.equal(last.headers.authorization, undefined);
  assert.deepEqual(opened.at(-1), { kind: 'portforward', pod: 'web', params: { port: 8080 } });
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = await raw(method, '/api/v1/namespaces/default/pods/web/proxy/echo', `body-${method}`, { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 200, `${method}: ${r.text}`);
    assert.equal(r.text, `${method} /echo body-${method}`);
  }
  const chunked = await raw('DELETE', '/api/v1/namespaces/default/pods/web/proxy/c', 'chunked-body', { 'Transfer-Encoding': 'chunked' });
  assert.equal(chunked.text, 'DELETE /c chunked-body');
  const tls = await raw('GET', '/api/v1/namespaces/default/pods/https:web:8443/proxy/secure');
  assert.equal(tls.text, 'tls GET /secure', 'https: speaks TLS to the pod (its certificate unverified, as upstream)');
  const head = await raw('HEAD', '/api/v1/namespaces/default/pods/web:web/proxy/');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('…/proxy without a slash redirects; a backend redirect stays under the proxy', async () => {
  const bare = await raw('GET', '/api/v1/namespaces/default/pods/web/proxy?x=1');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, '/api/v1/namespaces/default/pods/web/proxy/?x=1');
  const r = await raw('GET', '/api/v1/namespaces/default/pods/web/proxy/redirect');
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, '/api/v1/namespaces/default/pods/web/proxy/landing/?x=1');
  assert.equal(r.headers['x-back'], 'yes');
  assert.notEqual(r.headers['keep-alive'], 'timeout=5', 'hop-by-hop headers stay on their hop');
  const away = await raw('GET', '/api/v1/namespaces/default/pods/web/proxy/away');
  assert.equal(away.headers.location, 'https://example.com/elsewhere');
});

test('services/NAME[:PORT]/proxy reaches a ready endpoint pod; nodes/NAME/proxy the agent', async () => {
  // as upstream: without a port only an unnamed Service port matches
  for (const id of ['web:80', 'web:http', 'http:web:80', 'http:web:http']) {
    const r = await raw('GET', `/api/v1/namespaces/default/services/${id}/proxy/s`);
    assert.equal(r.status, 200, id);
    assert.deepEqual(opened.at(-1), { kind: 'portforward', pod: 'web', params: { port: 8080 } });
  }
  const n = await raw('GET', '/api/v1/nodes/node-1/proxy/healthz');
  assert.equal(n.status, 200);
  assert.deepEqual(opened.at(-1), { kind: 'nodeproxy', pod: '', params: {} });
  assert.equal((await raw('GET', '/api/v1/nodes/node-1:10250/proxy/healthz')).status, 200);
});

test('bad names, unknown ports, foreign addresses and unready targets are refused', async () => {
  const cases: [string, number, RegExp][] = [
    ['/api/v1/namespaces/default/pods/a:b:c:d/proxy/', 400, /invalid pod request "a:b:c:d"/],
    ['/api/v1/namespaces/default/pods/ftp:web:21/proxy/', 400, /invalid pod request/],
    ['/api/v1/namespaces/default/pods/web:0/proxy/', 400, /invalid port "0"/],
    ['/api/v1/namespaces/default/pods/web:nope/proxy/', 400, /invalid port "nope"/],
    ['/api/v1/namespaces/default/pods/missing/proxy/', 404, /pods "missing" not found/],
    ['/api/v1/namespaces/default/pods/pending/proxy/', 400, /address not allowed/],
    ['/api/v1/namespaces/default/pods/hostnet/proxy/', 400, /address not allowed/],
    ['/api/v1/namespaces/default/services/ext/proxy/', 400, /ExternalName/],
    ['/api/v1/namespaces/default/services/outside/proxy/', 400, /is a pod of this cluster/],
    ['/api/v1/namespaces/default/services/empty/proxy/', 503, /no endpoints available for service "empty"/],
    ['/api/v1/namespaces/default/services/web/proxy/', 503, /no endpoints available for service "web"/],
    ['/api/v1/namespaces/default/services/web:81/proxy/', 503, /no service port 81 found for service "web"/],
    ['/api/v1/namespaces/default/services/web:nope/proxy/', 503, /no endpoints available for service "web:nope"/],
    ['/api/v1/namespaces/default/services/::/proxy/', 400, /invalid service request/],
    ['/api/v1/nodes/node-1:22/proxy/', 400, /only the agent's port 10250/],
    ['/api/v1/nodes/nobody/proxy/', 404, /nodes "nobody" not found/],
    ['/api/v1/namespaces/default/pods/web:9/proxy/', 503, /error trying to reach service: failed to connect/],
    ['/api/v1/namespaces/default/configmaps/x/proxy/', 404, /could not find/],
  ];
  for (const [path, code, message] of cases) {
    const r = await raw('GET', path);
    assert.equal(r.status, code, `${path}: ${r.text}`);
    assert.match(JSON.parse(r.text).message, message, path);
  }
  const trace = await raw('TRACE', '/api/v1/namespaces/default/pods/web/proxy/');
  assert.equal(trace.status, 405);
});
