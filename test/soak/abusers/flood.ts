// REST floods: many concurrent creates, deletes and lists of ConfigMaps from several users
// outside system:masters (one priority level, global-default, whose seats and queue they
// overrun: 429 with Retry-After), a service account (workload-low) and the admin (exempt:
// load that no limit holds back). Names come from a pool per identity so etcd stays bounded.
import type { Abuse } from './context.js';
import type { ApiClient } from '../http.js';
import { outcome } from '../http.js';

const POOL = 400;
const PAYLOAD = 'x'.repeat(256);

export async function flood(a: Abuse): Promise<void> {
  const n = a.config.floodWorkers;
  const crowd: ApiClient[] = [
    ...a.users.flatMap((u) => Array<ApiClient>(n).fill(u)),
    ...Array<ApiClient>(Math.ceil(n / 3)).fill(a.sa),
    ...Array<ApiClient>(Math.ceil(n / 6)).fill(a.admin),
  ];
  await Promise.all(crowd.map((c) => worker(a, c)));
}

/** The Status of a 429 as kube-apiserver sends it: Retry-After 1, reason TooManyRequests. */
function wellFormed429(headers: Record<string, unknown>, body: string): boolean {
  try {
    const s = JSON.parse(body);
    return headers['retry-after'] === '1' && s.kind === 'Status' && s.reason === 'TooManyRequests' && s.code === 429 && s.details?.retryAfterSeconds === 1;
  } catch {
    return false;
  }
}

async function worker(a: Abuse, c: ApiClient): Promise<void> {
  const base = `/api/v1/namespaces/${a.config.floodNamespace}/configmaps`;
  const who = c.id.name.replace(/[^a-z0-9-]/g, '-').slice(-20);
  while (a.running()) {
    const r = a.rng.next();
    const name = `f-${who}-${a.rng.int(POOL)}`;
    const [method, path, body] =
      r < 0.5
        ? ['POST', base, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { soak: who } }, data: { payload: PAYLOAD } })]
        : r < 0.7
          ? ['DELETE', `${base}/${name}`, undefined]
          : r < 0.98
            ? ['GET', `${base}?limit=50&labelSelector=soak%3D${who}`, undefined]
            : ['GET', base, undefined];
    try {
      const ans = await c.request(method, path, body === undefined ? {} : { body });
      a.tally.add('flood', ans.status);
      if (ans.status === 429) {
        a.tally.note('flood', wellFormed429(ans.headers, ans.body) ? '429 with Retry-After' : '429 malformed');
        // Not the second Retry-After asks for: an abusive client comes back sooner.
        await a.sleep(50 + a.rng.int(200));
      } else if (ans.status >= 500) a.tally.sample('flood', `${ans.status} ${method} ${path}: ${ans.body}`);
    } catch (e) {
      a.tally.add('flood', outcome(e));
      await a.sleep(100);
    }
  }
}
