// The storage controllers as the manager runs them: persistentvolume-binder,
// pvc-protection, pv-protection and the local-path provisioner.
import type { KubeObject, Node, Pod } from '@k8ts/api';
import { on, type ControllerDefinition } from '../framework/wiring.js';
import { PersistentVolumeController } from './binder.js';
import { PVCProtectionController } from './pvc-protection.js';
import { PVProtectionController } from './pv-protection.js';
import { LocalPathProvisioner } from './local-path/provisioner.js';

export const VOLUME_CONTROLLERS: ControllerDefinition[] = [
  {
    name: 'persistentvolume-binder',
    component: 'persistentvolume-controller',
    build(w) {
      const c = new PersistentVolumeController(
        w.ctx,
        { claims: w.lister('persistentvolumeclaims'), volumes: w.lister('persistentvolumes'), classes: w.lister('storageclasses') },
        w.queue,
      );
      on(w.informer('persistentvolumeclaims'), { add: c.onClaim, update: c.updateClaim, delete: c.deleteClaim });
      on(w.informer('persistentvolumes'), { add: c.onVolume, update: c.updateVolume, delete: c.deleteVolume });
      on(w.informer('storageclasses'), { add: c.onClass });
      return c;
    },
  },
  {
    name: 'pvc-protection',
    component: 'pvc-protection-controller',
    build(w) {
      const c = new PVCProtectionController(w.ctx, { claims: w.lister('persistentvolumeclaims'), pods: w.lister<Pod>('pods') }, w.queue);
      on(w.informer('persistentvolumeclaims'), { add: c.onClaim, update: c.updateClaim });
      on(w.informer<Pod>('pods'), { update: c.updatePod, delete: c.onPod });
      return c;
    },
  },
  {
    name: 'pv-protection',
    component: 'pv-protection-controller',
    build(w) {
      const c = new PVProtectionController(w.ctx, { volumes: w.lister('persistentvolumes') }, w.queue);
      on(w.informer('persistentvolumes'), { add: c.onVolume, update: c.updateVolume });
      return c;
    },
  },
  {
    name: 'local-path-provisioner',
    component: 'rancher.io/local-path_k8ts',
    build(w) {
      const c = new LocalPathProvisioner(
        w.ctx,
        {
          claims: w.lister('persistentvolumeclaims'),
          volumes: w.lister('persistentvolumes'),
          classes: w.lister('storageclasses'),
          nodes: w.lister<Node>('nodes'),
          pods: w.lister<Pod>('pods'),
        },
        w.queue,
      );
      on(w.informer('persistentvolumeclaims'), { add: c.onClaim, update: c.updateClaim });
      on(w.informer<KubeObject>('persistentvolumes'), { add: c.onVolume, update: c.updateVolume });
      on(w.informer<Pod>('pods'), { update: c.updatePod, delete: c.onPod });
      w.informer<Node>('nodes');
      w.informer('storageclasses');
      return c;
    },
  },
];
