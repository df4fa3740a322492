import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/client';
import { parseTokenCsv, splitCsvLine } from './token-file.js';
import { createAuthenticator, bearerToken } from './authenticate.js';

describe('token auth file', () => {
  it('reads kube-apiserver CSV lines with quoted group lists', () => {
    assert.deepEqual(splitCsvLine('t1,alice,u1,"g1,g2"'), ['t1', 'alice', 'u1', 'g1,g2']);
    const t = parseTokenCsv('# comment\nt1,alice,u1,"system:masters,dev"\n\nt2,bob,u2\n');
    assert.deepEqual(t.get('t1'), { name: 'alice', uid: 'u1', groups: ['system:masters', 'dev'] });
    assert.deepEqual(t.get('t2'), { name: 'bob', uid: 'u2', groups: [] });
    assert.throws(() => parseTokenCsv('onlytoken\n'));
  });

  it('authenticates bearer tokens and answers 401 otherwise', () => {
    const auth = createAuthenticator(parseTokenCsv('secret,alice,u1,"g"\n'));
    assert.deepEqual(auth('Bearer secret'), { name: 'alice', groups: ['g', 'system:authenticated'] });
    for (const h of [undefined, '', 'Bearer nope', 'Basic c2VjcmV0', 'secret']) {
      assert.throws(
        () => auth(h),
        (e: unknown) => e instanceof ApiError && e.code === 401 && e.status.reason === 'Unauthorized' && e.status.message === 'Unauthorized',
      );
    }
    assert.equal(bearerToken('bearer  abc '), 'abc');
  });

  it('lets everyone in as anonymous when no token file is configured', () => {
    assert.equal(createAuthenticator(undefined)(undefined).name, 'system:anonymous');
  });
});
