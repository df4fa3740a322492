// Shorthands for upstream's list and map markers, so the annotation tables read like the
// Go comments they transcribe.
import type { FieldSchema } from './types.js';

export type Annotation = Pick<
  FieldSchema,
  'patchStrategy' | 'patchMergeKey' | 'listType' | 'listMapKeys' | 'mapType' | 'inline' | 'description'
>;

/** +listType=atomic: the list is one value (replaced whole by patches and appliers). */
export const atomic: Annotation = { listType: 'atomic' };
/** +listType=set: a list of unique scalars. */
export const set: Annotation = { listType: 'set' };
/** +patchStrategy=merge +listType=set: a set strategic merge patch merges. */
export const mergeSet: Annotation = { patchStrategy: 'merge', listType: 'set' };
/** +mapType=atomic. */
export const atomicMap: Annotation = { mapType: 'atomic' };
/** `json:",inline"`: the message's fields sit in the parent's JSON object. */
export const inline: Annotation = { inline: true };

/** +patchMergeKey=key +patchStrategy=merge +listType=map +listMapKey=key (+ more map keys). */
export function mergeBy(key: string, ...moreKeys: string[]): Annotation {
  return { patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: [key, ...moreKeys] };
}

/** As mergeBy, with +patchStrategy=merge,retainKeys. */
export function mergeRetainBy(key: string): Annotation {
  return { ...mergeBy(key), patchStrategy: 'merge,retainKeys' };
}

/** +listType=map +listMapKey=… without a patch strategy. */
export function mapList(...keys: string[]): Annotation {
  return { listType: 'map', listMapKeys: keys };
}

/** +patchMergeKey=key +patchStrategy=merge on a list declared +listType=atomic. */
export function mergeAtomic(key: string): Annotation {
  return { patchStrategy: 'merge', patchMergeKey: key, listType: 'atomic' };
}
