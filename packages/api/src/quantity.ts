// Resource quantities (resource.Quantity): `100m`, `0.5`, `64Mi`, `1G`, `1e3`. Values are
// plain numbers: CPU in cores, memory in bytes. Numbers are exact enough for the sizes a
// cluster sees (bytes up to 2^53).
import { QuantityError } from './errors.js';

const binary: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimal: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

// Same shape as resource.ParseQuantity: a signed decimal number then a suffix.
const quantityRe = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export type QuantityInput = string | number;

/** Parses a quantity to its value (cores for CPU, bytes for memory). Throws QuantityError. */
export function parseQuantity(q: QuantityInput): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    return q;
  }
  if (typeof q !== 'string') throw new QuantityError('quantity must be a string or a number');
  const m = quantityRe.exec(q.trim() === q ? q : '');
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const num = Number(m[1]);
  if (m[3] !== undefined) return num * 10 ** Number(m[3]);
  const suffix = m[2] ?? '';
  const mult = binary[suffix] ?? decimal[suffix]!;
  // Multiply by the inverse for sub-unit suffixes to keep 100m === 0.1.
  if (mult < 1) return num / Math.round(1 / mult);
  return num * mult;
}

export function isValidQuantity(q: unknown): boolean {
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  try {
    parseQuantity(q);
    return true;
  } catch {
    return false;
  }
}

/** CPU in millicores, rounded up as Quantity.MilliValue does (0.0001 → 1). */
export function cpuMillis(q: QuantityInput | undefined | null): number {
  if (q === undefined || q === null || q === '') return 0;
  return Math.ceil(Math.round(parseQuantity(q) * 1e6) / 1e3);
}

/** Memory (or any integer resource) rounded up to whole units, as Quantity.Value does. */
export function quantityValue(q: QuantityInput | undefined | null): number {
  if (q === undefined || q === null || q === '') return 0;
  return Math.ceil(Math.round(parseQuantity(q) * 1e6) / 1e6);
}

export const memoryBytes = quantityValue;

export type QuantityFormat = 'cpu' | 'binary' | 'decimal';

/**
 * Canonical text for a value: `cpu` gives `2`, `1500m`; `binary` (memory) gives `64Mi`,
 * `1Gi` or plain bytes; `decimal` gives `1k`, `5M`, or milli-units for fractions.
 */
export function formatQuantity(value: number, format: QuantityFormat = 'decimal'): string {
  if (!Number.isFinite(value)) throw new QuantityError(`cannot format ${value} as a quantity`);
  if (format === 'cpu' || (format === 'decimal' && !Number.isInteger(value))) {
    const millis = Math.ceil(Math.round(value * 1e6) / 1e3);
    if (millis % 1000 === 0) return format === 'cpu' ? String(millis / 1000) : formatQuantity(millis / 1000, 'decimal');
    return `${millis}m`;
  }
  const v = Math.round(value);
  if (v === 0) return '0';
  if (format === 'binary') {
    for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const mult = binary[s]!;
      if (v % mult === 0) return `${v / mult}${s}`;
    }
    return String(v);
  }
  for (const s of ['E', 'P', 'T', 'G', 'M', 'k']) {
    const mult = decimal[s]!;
    if (v % mult === 0) return `${v / mult}${s}`;
  }
  return String(v);
}

/** Parses and re-formats: `0.5` cpu → `500m`, `1024Ki` → `1Mi`. */
export function normalizeQuantity(q: QuantityInput, format: QuantityFormat = 'decimal'): string {
  return formatQuantity(parseQuantity(q), format);
}
