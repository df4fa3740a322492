// pods/binding (Kubernetes' BindingREST): sets spec.nodeName and PodScheduled=True with one
// compare-and-swap on the pod's mod revision, so each bound pod gets its own resourceVersion
// exactly as any other write. The read before it is shared: reads that pile up while earlier
// ones are out go to etcd as one read-only transaction (a scheduler has dozens of binds in
// flight), and a lost race retries on the state the failed transaction returned instead of
// reading again (as GuaranteedUpdate does with its cached object). A pod the shared watch
// still holds (`cached`) needs no read at all when it can be bound: the compare-and-swap on
// its mod revision proves it current, as upstream's GuaranteedUpdate starts from the watch
// cache's object. Every other answer (conflict, not found) comes from what etcd holds.
import type { KubeObject } from '@k8ts/api';
import type { Storage } from '../storage/storage.js';
import { objectKey } from '../storage/keys.js';
import type { WriteOpts } from './types.js';
import * as errs from './errors.js';
import { nowTime } from './time.js';

const MAX_RETRIES = 8;
/** etcd's default --max-txn-ops is 128. */
const MAX_READS_PER_TXN = 128;
const MAX_READS_IN_FLIGHT = 2;

interface PendingRead {
  key: string;
  resolve: (obj: KubeObject | undefined) => void;
  reject: (err: unknown) => void;
}

export class PodBinder {
  private queued: PendingRead[] = [];
  private readsInFlight = 0;

  constructor(
    private readonly store: Storage,
    /** The shared watch's newest state of a pod's key, if it holds one (shared: never changed). */
    private readonly cached: (key: string) => KubeObject | undefined = () => undefined,
  ) {}

  async bind(ns: string, name: string, body: KubeObject, opts: WriteOpts): Promise<KubeObject> {
    const target = (body as any)?.target;
    if (!target?.name) {
      throw errs.invalid('Binding', name, [{ field: 'target.name', message: 'Required value', type: 'FieldValueRequired' }]);
    }
    const wantUid = body.metadata?.uid;
    const wantRv = body.metadata?.resourceVersion;
    const annotations = body.metadata?.annotations;
    const key = objectKey('pods', ns, name);
    let cur = this.bindable(key, wantUid, wantRv) ?? (await this.read(key));
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      if (!cur) throw errs.notFound('pods', name);
      if (wantUid && wantUid !== cur.metadata.uid) throw errs.conflict('pods/binding', name, `Precondition failed: UID in precondition: ${wantUid}, UID in object meta: ${cur.metadata.uid}`);
      if (wantRv && wantRv !== cur.metadata.resourceVersion) throw errs.conflict('pods/binding', name, `Precondition failed: ResourceVersion in precondition: ${wantRv}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      if (cur.metadata.deletionTimestamp) throw errs.conflict('pods/binding', name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (cur.spec?.nodeName) throw errs.conflict('pods/binding', name, `pod ${name} is already assigned to node "${cur.spec.nodeName}"`);
      const revision = cur.metadata.resourceVersion!;
      // cur is this call's own (decoded for it, or the copy bindable made): change it in place.
      cur.spec = { ...(cur.spec ?? {}), nodeName: target.name };
      if (annotations && Object.keys(annotations).length) cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), ...annotations };
      const conditions: any[] = (cur.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTime() });
      cur.status = { ...(cur.status ?? {}), conditions };
      if (opts.dryRun) return errs.successStatus(201) as unknown as KubeObject;
      const r = await this.store.update(key, cur, revision);
      if (r.ok) return errs.successStatus(201) as unknown as KubeObject;
      cur = r.current;
    }
    throw errs.conflict('pods/binding', name);
  }

  /**
   * A copy of the watch's pod at key to bind (the loop below replaces its spec, status and
   * annotations, never changes what they hold), when it passes every check; else undefined
   * and the pod is read from etcd.
   */
  private bindable(key: string, wantUid?: string, wantRv?: string): KubeObject | undefined {
    const c = this.cached(key);
    if (!c || c.spec?.nodeName || c.metadata.deletionTimestamp) return undefined;
    if ((wantUid && wantUid !== c.metadata.uid) || (wantRv && wantRv !== c.metadata.resourceVersion)) return undefined;
    return { ...c, metadata: { ...c.metadata } };
  }

  /**
   * The pod at key. Reads go to etcd at once while fewer than MAX_READS_IN_FLIGHT are out;
   * beyond that they wait and leave together with the others that arrived meanwhile, so a lone
   * bind waits for nothing and a crowd of binds costs a few reads, not one each.
   */
  private read(key: string): Promise<KubeObject | undefined> {
    return new Promise((resolve, reject) => {
      this.queued.push({ key, resolve, reject });
      if (this.queued.length === 1) process.nextTick(() => this.flush());
    });
  }

  private flush(): void {
    while (this.readsInFlight < MAX_READS_IN_FLIGHT && this.queued.length) {
      const batch = this.queued.splice(0, MAX_READS_PER_TXN);
      this.readsInFlight++;
      void this.readMany(batch).finally(() => {
        this.readsInFlight--;
        this.flush();
      });
    }
  }

  private async readMany(reads: PendingRead[]): Promise<void> {
    try {
      if (reads.length === 1) {
        reads[0]!.resolve(await this.store.get(reads[0]!.key));
        return;
      }
      const objects = await this.store.getMany(reads.map((r) => r.key));
      reads.forEach((r, i) => r.resolve(objects[i]));
    } catch (err) {
      for (const r of reads) r.reject(err);
    }
  }
}
