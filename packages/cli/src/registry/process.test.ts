import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registryCatalog, registryHealth } from './process.js';

test('the registry\'s health is its answer on /v2/; its catalog lists what it holds; a closed port says so', async () => {
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/v2/') return res.end('{}');
    if (req.url?.startsWith('/v2/_catalog')) return res.end(JSON.stringify({ repositories: ['k8ts/hello'] }));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  assert.equal(await registryHealth(host), 'ok');
  assert.deepEqual(await registryCatalog(host), ['k8ts/hello']);
  await new Promise((r) => server.close(r));
  assert.equal(await registryHealth(host), `not answering on ${host} (ECONNREFUSED)`);
  assert.equal(await registryCatalog(host), undefined);
});
