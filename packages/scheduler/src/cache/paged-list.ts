// Lists in pages (limit/continue, 500 objects a page, as client-go's reflector pager does), so
// the informers' initial list of a large cluster never needs one huge response. All pages are
// read at the first page's revision, so together they are one consistent list.
import type { KubeList, KubeObject } from '@k8ts/api';
import type { Client, ListOptions } from '@k8ts/client';

export function withPagedLists(client: Client, pageSize = 500): Client {
  const list = async <T extends KubeObject>(resource: string, opts: ListOptions = {}): Promise<KubeList<T>> => {
    if (opts.limit || opts.continue) return client.list<T>(resource, opts);
    let page = await client.list<T>(resource, { ...opts, limit: pageSize });
    const first = page;
    const items = [...page.items];
    while (page.metadata?.continue) {
      page = await client.list<T>(resource, { ...opts, limit: pageSize, continue: page.metadata.continue });
      items.push(...page.items);
    }
    return { ...first, metadata: { ...first.metadata, continue: undefined, remainingItemCount: undefined }, items };
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'list') return list;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
