// Cluster events that can make an unschedulable pod schedulable. Plugins say which ones they
// care about, so a pod rejected only by, say, NodeAffinity is not retried when a pod goes away.

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'PersistentVolumeClaimAdd'
  | 'PersistentVolumeClaimUpdate'
  | 'PersistentVolumeAdd'
  | 'PersistentVolumeUpdate'
  | 'StorageClassAdd';

export const ALL_EVENTS: readonly ClusterEvent[] = [
  'NodeAdd',
  'NodeUpdate',
  'AssignedPodAdd',
  'AssignedPodUpdate',
  'AssignedPodDelete',
  'PersistentVolumeClaimAdd',
  'PersistentVolumeClaimUpdate',
  'PersistentVolumeAdd',
  'PersistentVolumeUpdate',
  'StorageClassAdd',
];
