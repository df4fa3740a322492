import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { ApiError } from '@k8ts/client';
import { parseTokenCsv, splitCsvLine } from './token-file.js';
import { bearerToken } from './authenticate.js';
import { AuthenticatorChain } from './chain.js';
import { tokenFileAuthenticator } from './token-authenticator.js';
import { x509Authenticator } from './x509.js';
import type { Authenticator } from './types.js';

const is401 = (e: unknown) => e instanceof ApiError && e.code === 401 && e.status.reason === 'Unauthorized' && e.status.message === 'Unauthorized';

function peer(subject: Record<string, string | string[]>, extKeyUsage = ['1.3.6.1.5.5.7.3.2']): PeerCertificate {
  return { subject, ext_key_usage: extKeyUsage, raw: Buffer.from('x') } as unknown as PeerCertificate;
}

describe('token auth file', () => {
  it('reads kube-apiserver CSV lines with quoted group lists', () => {
    assert.deepEqual(splitCsvLine('t1,alice,u1,"g1,g2"'), ['t1', 'alice', 'u1', 'g1,g2']);
    const t = parseTokenCsv('# comment\nt1,alice,u1,"system:masters,dev"\n\nt2,bob,u2\n');
    assert.deepEqual(t.get('t1'), { name: 'alice', uid: 'u1', groups: ['system:masters', 'dev'] });
    assert.deepEqual(t.get('t2'), { name: 'bob', uid: 'u2', groups: [] });
    assert.throws(() => parseTokenCsv('onlytoken\n'));
  });

  it('authenticates bearer tokens and answers 401 otherwise', async () => {
    const chain = new AuthenticatorChain([tokenFileAuthenticator(parseTokenCsv('secret,alice,u1,"g"\n'))], false);
    assert.deepEqual(await chain.authenticate({ authorization: 'Bearer secret' }), { name: 'alice', uid: 'u1', groups: ['g', 'system:authenticated'] });
    for (const h of [undefined, '', 'Bearer nope', 'Basic c2VjcmV0', 'secret']) await assert.rejects(chain.authenticate({ authorization: h }), is401);
    assert.equal(bearerToken('bearer  abc '), 'abc');
  });

  it('lets everyone in as anonymous when no authenticator is configured', async () => {
    assert.equal((await new AuthenticatorChain([], true).authenticate({ authorization: 'Bearer whatever' })).name, 'system:anonymous');
  });
});

describe('x509 authenticator', () => {
  const x509 = x509Authenticator();

  it('maps CN to the user and O values to groups', () => {
    assert.deepEqual(x509.authenticate({ peerCertificate: peer({ CN: 'system:node:agent-1', O: 'system:nodes' }) }), { name: 'system:node:agent-1', groups: ['system:nodes'] });
    assert.deepEqual(x509.authenticate({ peerCertificate: peer({ CN: 'alice', O: ['a', 'b'] }) }), { name: 'alice', groups: ['a', 'b'] });
    assert.deepEqual(x509.authenticate({ peerCertificate: peer({ CN: 'bob' }) }), { name: 'bob', groups: [] });
  });

  it('is not concerned without a certificate, and refuses one without a name or not for client auth', () => {
    assert.equal(x509.authenticate({ authorization: 'Bearer x' }), null);
    assert.throws(() => x509.authenticate({ peerCertificate: peer({ O: 'g' }) }), is401);
    assert.throws(() => x509.authenticate({ peerCertificate: peer({ CN: 'srv' }, ['1.3.6.1.5.5.7.3.1']) }), is401);
  });
});

describe('authenticator chain', () => {
  const tokens = tokenFileAuthenticator(parseTokenCsv('tok,bob,u2,"dev"\n'));

  it('tries each in order: the certificate first, then the token', async () => {
    const chain = new AuthenticatorChain([x509Authenticator(), tokens], false);
    const both = await chain.authenticate({ authorization: 'Bearer tok', peerCertificate: peer({ CN: 'alice', O: 'ops' }) });
    assert.deepEqual(both, { name: 'alice', groups: ['ops', 'system:authenticated'] });
    assert.equal((await chain.authenticate({ authorization: 'Bearer tok' })).name, 'bob');
  });

  it('asks authenticators added later, awaiting those that answer asynchronously', async () => {
    const chain = new AuthenticatorChain([tokens], false);
    const late: Authenticator = { name: 'late', authenticate: async (c) => (c.authorization === 'Bearer jwt' ? { name: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts'] } : null) };
    await assert.rejects(chain.authenticate({ authorization: 'Bearer jwt' }), is401);
    chain.add(late);
    assert.deepEqual(chain.names, ['token-file', 'late']);
    assert.deepEqual((await chain.authenticate({ authorization: 'Bearer jwt' })).groups, ['system:serviceaccounts', 'system:authenticated']);
  });

  it('stops at an authenticator that refuses credentials of its kind', async () => {
    const refusing: Authenticator = { name: 'expired', authenticate: () => { throw new ApiError(401, 'Unauthorized', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }); } };
    const chain = new AuthenticatorChain([refusing, tokens], true);
    await assert.rejects(chain.authenticate({ authorization: 'Bearer tok' }), is401);
  });
});
