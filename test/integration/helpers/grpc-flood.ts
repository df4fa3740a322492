// A hostile gRPC client for grpc-limits.test.ts, run as its own process: eight concurrent
// Creates of 63 MiB each. Prints each one's outcome as JSON.
import { GrpcClient } from '@k8ts/client';

const [server, token] = process.argv.slice(2);
const c = new GrpcClient({ server, token });
const big = 'x'.repeat(63 * 1024 * 1024);
const results = await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    c.create('configmaps', { metadata: { name: `big-${i}`, namespace: 'default' }, data: { a: big } }).then(
      () => 'created',
      (e: { message?: string }) => String(e.message),
    ),
  ),
);
console.log(JSON.stringify(results));
c.close();
