// Pod resource limits in the units Docker takes. Parsing is @k8ts/api's parseQuantity, so the
// agent reads a quantity exactly as the apiserver validated it.
import { parseQuantity, type QuantityInput } from '@k8ts/api';

type Limit = QuantityInput | undefined;

/** cpu quantity → Docker NanoCpus; no limit (absent or empty) stays undefined. */
export function cpuToNano(q: Limit): number | undefined {
  return q === undefined || q === '' ? undefined : Math.round(parseQuantity(q) * 1e9);
}

/** memory quantity → bytes; no limit (absent or empty) stays undefined. */
export function memoryToBytes(q: Limit): number | undefined {
  return q === undefined || q === '' ? undefined : Math.round(parseQuantity(q));
}
