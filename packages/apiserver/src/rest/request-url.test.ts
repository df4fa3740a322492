import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestUrl } from './request-url.js';

test('plain paths and URL parsing give the same pathname and query', () => {
  for (const raw of [
    '/api/v1/namespaces/default/configmaps',
    '/api/v1/namespaces/default/configmaps/kube-root-ca.crt',
    '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&watch=1',
    '/api/v1/namespaces/default/pods/a%2Fb',
    '/api/v1/../v1/pods',
    '/api/./v1/pods',
    '/api/v1/pods#frag',
    '/api\\v1\\pods',
    '/api/v1/pods/é',
    '/api/v1/pods/a b',
    '//api/v1/pods',
    '/',
    '',
  ]) {
    const url = new URL(raw || '/', 'http://localhost');
    const got = requestUrl(raw);
    assert.equal(got.pathname, url.pathname, raw);
    assert.deepEqual([...got.searchParams], [...url.searchParams], raw);
  }
});
