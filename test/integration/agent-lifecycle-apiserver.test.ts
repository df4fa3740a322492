// The lifecycle suite against a real apiserver (in-process) over a real etcd (a container on
// ports of its own, test/support/etcd.ts), the agent talking gRPC as in a cluster: under
// Node,RBAC, as system:node:<its name>, and refused nothing (test/support/cluster-auth.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clientFromOptions, createLogger } from '@k8ts/client';
import { startApiServer } from '@k8ts/apiserver';
import { startEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { lifecycleSuite } from './agent-lifecycle-suite.js';

lifecycleSuite(async (nodeName) => {
  const etcd = await startEtcd();
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-life-api-'));
  const auth = writeClusterAuth(tmp, { nodes: [nodeName] });
  try {
    const api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
    const server = `127.0.0.1:${api.grpcPort}`;
    const client = clientFromOptions({ server, token: auth.adminToken });
    const agentClient = clientFromOptions({ server, token: auth.componentToken('agent', nodeName) });
    return {
      client,
      agentClient,
      stop: async () => {
        client.close();
        agentClient.close();
        await api.stop();
        await etcd.stop();
        const refused = auth.componentRefusals();
        rmSync(tmp, { recursive: true, force: true });
        assert.deepEqual(refused, [], `the agent, as system:node:${nodeName}, was refused nothing`);
      },
    };
  } catch (e) {
    await etcd.stop();
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
});
