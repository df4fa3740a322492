// The default profile: filters in kube-scheduler's order (cheap and decisive first), then scores.
import type { AnyPlugin } from '../framework/interfaces.js';
import { BalancedAllocation } from './balanced-allocation.js';
import { InterPodAffinity } from './inter-pod-affinity.js';
import { LeastAllocated } from './least-allocated.js';
import { NodeAffinity } from './node-affinity.js';
import { NodeName } from './node-name.js';
import { NodePorts } from './node-ports.js';
import { NodeReady } from './node-ready.js';
import { NodeResourcesFit } from './node-resources-fit.js';
import { NodeUnschedulable } from './node-unschedulable.js';
import { PodTopologySpread } from './pod-topology-spread.js';
import { SelectorSpread } from './selector-spread.js';
import { TaintToleration } from './taint-toleration.js';
import type { VolumeBinding } from './volume-binding.js';

/** `volumeBinding`: the scheduler's VolumeBinding over its claim and volume caches. */
export function defaultPlugins(volumeBinding?: VolumeBinding): AnyPlugin[] {
  return [
    NodeUnschedulable,
    NodeName,
    TaintToleration,
    NodeReady,
    NodeAffinity,
    NodePorts,
    NodeResourcesFit,
    ...(volumeBinding ? [volumeBinding] : []),
    PodTopologySpread,
    InterPodAffinity,
    LeastAllocated,
    BalancedAllocation,
    SelectorSpread,
  ];
}
