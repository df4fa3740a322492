// The compatibility suite's checks with @kubernetes/client-node (the JavaScript client people
// write operators with): CRUD, a watch, an informer, a log read, an exec, port-forward and a
// CustomResourceDefinition with its custom objects, each against the namespace and the busybox
// pod the suite made for it. (client-node's model names a schema's default `_default` and
// serializes it as `default`.)
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Step } from './kubectl-steps.js';
import { getThroughPort } from '../../support/get-through-port.js';

export function clientNodeSteps(kubeconfig: string, ns: string, pod: string): Step[] {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const step = (name: string, run: () => Promise<unknown>): Step => ({ name, run: async () => void (await run()) });

  return [
    step('create, read, patch, list by label, delete', async () => {
      const body = { metadata: { name: 'cn-crud', labels: { compat: 'client-node' } }, data: { a: '1' } };
      await core.createNamespacedConfigMap({ namespace: ns, body });
      assert.equal((await core.readNamespacedConfigMap({ name: 'cn-crud', namespace: ns })).data?.a, '1');
      await core.patchNamespacedConfigMap(
        { name: 'cn-crud', namespace: ns, body: { data: { a: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'compat=client-node' });
      assert.deepEqual(list.items.map((c) => [c.metadata?.name, c.data?.a]), [['cn-crud', '2']]);
      await core.deleteNamespacedConfigMap({ name: 'cn-crud', namespace: ns });
      await assert.rejects(core.readNamespacedConfigMap({ name: 'cn-crud', namespace: ns }), (e: { code?: number }) => e.code === 404);
    }),
    step('watch', async () => {
      let request: AbortController | undefined;
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ADDED event within 30 s')), 30_000);
        const onEvent = (type: string, obj: k8s.V1ConfigMap) => {
          if (type !== 'ADDED' || obj.metadata?.name !== 'cn-watched') return;
          clearTimeout(timer);
          resolve();
        };
        new k8s.Watch(kc)
          .watch(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'compat=watch' }, onEvent, (err) => err && reject(err))
          .then((a) => {
            request = a;
            return core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cn-watched', labels: { compat: 'watch' } } } });
          })
          .catch(reject);
      });
      try {
        await seen;
      } finally {
        request?.abort();
      }
    }),
    step('informer', async () => {
      const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
      const added = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('informer saw no add within 30 s')), 30_000);
        informer.on('add', (obj) => {
          if (obj.metadata?.name === 'cn-informed') {
            clearTimeout(timer);
            resolve(obj.metadata.name);
          }
        });
        informer.on('error', (e) => reject(e));
      });
      await informer.start();
      try {
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cn-informed' } } });
        assert.equal(await added, 'cn-informed');
        assert.ok(informer.list(ns).some((c) => c.metadata?.name === 'cn-watched'), 'the informer cache holds the objects listed at start');
      } finally {
        await informer.stop();
      }
    }),
    step('log', async () => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d.toString()));
      await new Promise<void>((resolve, reject) => {
        out.on('end', resolve);
        new k8s.Log(kc).log(ns, pod, pod, out, { follow: false }).catch(reject);
      });
      assert.match(text, /compat-log-line/);
    }),
    step('exec', async () => {
      const stdout = new PassThrough();
      let text = '';
      stdout.on('data', (d) => (text += d.toString()));
      const status = await new Promise<k8s.V1Status>((resolve, reject) => {
        new k8s.Exec(kc).exec(ns, pod, pod, ['cat', '/www/index.html'], stdout, null, null, false, (s) => resolve(s)).catch(reject);
      });
      assert.equal(status.status, 'Success');
      assert.match(text, /compat-http/);
    }),
    step('a CRD: Established, a custom object pruned and defaulted, a bad one refused, deleted with its CRD', async () => {
      const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
      const custom = kc.makeApiClient(k8s.CustomObjectsApi);
      const name = 'compatwidgets.compat.k8ts.io';
      const where = { group: 'compat.k8ts.io', version: 'v1', namespace: ns, plural: 'compatwidgets' };
      await ext.createCustomResourceDefinition({ body: compatCrd });
      await until('Established', async () => (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
      await custom.createNamespacedCustomObject({ ...where, body: { apiVersion: 'compat.k8ts.io/v1', kind: 'CompatWidget', metadata: { name: 'w' }, spec: { size: 2, junk: true } } });
      const got = (await custom.getNamespacedCustomObject({ ...where, name: 'w' })) as { spec: Record<string, unknown> };
      assert.deepEqual(got.spec, { size: 2, color: 'blue' }, 'unknown field pruned, default applied');
      await assert.rejects(
        custom.createNamespacedCustomObject({ ...where, body: { apiVersion: 'compat.k8ts.io/v1', kind: 'CompatWidget', metadata: { name: 'bad' }, spec: { size: 'big' } } }),
        (e: { code?: number }) => e.code === 422,
      );
      const list = (await custom.listNamespacedCustomObject(where)) as { items: { metadata: { name: string } }[] };
      assert.deepEqual(list.items.map((i) => i.metadata.name), ['w']);
      await ext.deleteCustomResourceDefinition({ name });
      await until('the CRD and its objects gone', async () => {
        const gone = await ext.readCustomResourceDefinition({ name }).then(() => false, (e: { code?: number }) => e.code === 404);
        return gone;
      });
    }),
    step('port-forward (v4.channel.k8s.io)', async () => {
      const forward = new k8s.PortForward(kc);
      const sockets: net.Socket[] = [];
      const server = net.createServer((sock) => {
        sockets.push(sock);
        forward.portForward(ns, pod, [8080], sock, null, sock).catch(() => sock.destroy());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        assert.match(await getThroughPort(port), /compat-http/);
        assert.match(await getThroughPort(port), /compat-http/, 'a second connection: a second WebSocket');
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => server.close(r));
      }
    }),
  ];
}

const compatCrd: k8s.V1CustomResourceDefinition = {
  metadata: { name: 'compatwidgets.compat.k8ts.io' },
  spec: {
    group: 'compat.k8ts.io',
    scope: 'Namespaced',
    names: { plural: 'compatwidgets', singular: 'compatwidget', kind: 'CompatWidget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string', _default: 'blue' } } } } } },
      },
    ],
  },
};

/** Polls `ok` every 200 ms for up to 30 s. */
async function until(what: string, ok: () => Promise<boolean | undefined>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within 30 s`);
}

