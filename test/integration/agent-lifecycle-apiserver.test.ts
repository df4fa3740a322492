// The lifecycle suite against a real apiserver (in-process) over a real etcd (a container on
// ports of its own, test/support/etcd.ts), the agent talking gRPC as in a cluster.
import { clientFromOptions, createLogger } from '@k8ts/client';
import { startApiServer } from '@k8ts/apiserver';
import { startEtcd } from '../support/etcd.js';
import { lifecycleSuite } from './agent-lifecycle-suite.js';

lifecycleSuite(async () => {
  const etcd = await startEtcd();
  const logger = createLogger('apiserver-test');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  try {
    const api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, logger });
    const client = clientFromOptions({ server: `127.0.0.1:${api.grpcPort}`, token: 'unused' });
    return {
      client,
      stop: async () => {
        client.close();
        await api.stop();
        await etcd.stop();
      },
    };
  } catch (e) {
    await etcd.stop();
    throw e;
  }
});
