// A body trickled slower than the body timeout is cut off with 408 and writes nothing; a body
// over 3 MiB is refused with 413 before it is buffered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestRestServer, type TestRestServer } from '../testing/rest-server.js';
import { setBodyTimeoutMs, BODY_TIMEOUT_MS } from './body.js';

let srv: TestRestServer;
const saved = BODY_TIMEOUT_MS;
before(async () => {
  setBodyTimeoutMs(300);
  srv = await startTestRestServer();
});
after(async () => {
  setBodyTimeoutMs(saved);
  await srv.stop();
});

function rawRequest(port: number, head: string, trickle: string, everyMs: number): Promise<{ response: string; closedAfterMs: number; sent: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = connect(port, '127.0.0.1');
    let response = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < trickle.length && !sock.destroyed) sock.write(trickle[i++]);
    }, everyMs);
    sock.on('data', (b) => (response += b.toString()));
    sock.on('close', () => {
      clearInterval(timer);
      resolve({ response, closedAfterMs: Date.now() - started, sent: i });
    });
    sock.on('error', () => {});
    sock.write(head);
  });
}

test('a slow body is answered 408 and the connection closed; nothing is written', async () => {
  const port = Number(new URL(srv.base).port);
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'slow' } });
  const head = `POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const r = await rawRequest(port, head, body, 50);
  assert.match(r.response, /^HTTP\/1\.1 408 /);
  assert.match(r.response, /"reason":"Timeout"/);
  assert.ok(r.closedAfterMs < 3000, `closed after ${r.closedAfterMs} ms`);
  const get = await fetch(`${srv.base}/api/v1/namespaces/default/configmaps/slow`);
  assert.equal(get.status, 404);
});

test('a declared body over 3 MiB is refused with 413 at once', async () => {
  const port = Number(new URL(srv.base).port);
  const head = `POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\nConnection: close\r\n\r\n`;
  const r = await rawRequest(port, head, '', 1000);
  assert.match(r.response, /^HTTP\/1\.1 413 /);
});

test('a request answered before its body is read is closed, not kept open while the client trickles the body', async () => {
  const port = Number(new URL(srv.base).port);
  // Refused before the body matters (no such resource); the body would take 20 s to arrive.
  const body = 'x'.repeat(400);
  const head = `POST /api/v1/namespaces/default/nosuchthings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const r = await rawRequest(port, head, body, 50);
  assert.match(r.response, /^HTTP\/1\.1 404 /);
  assert.ok(r.sent < body.length, `the connection stayed open until the whole body (${r.sent} bytes) was sent`);
});

