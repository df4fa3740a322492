// Kubernetes times: metav1.Time is RFC 3339 to the second, MicroTime to the microsecond.
// Every create stamps one; the text changes once a second, so it is made once a second.
import { microTime, rfc3339 } from '@k8ts/api';

let cachedSecond = NaN;
let cachedText = '';

export function nowTime(offsetSeconds = 0): string {
  const second = Math.floor((Date.now() + offsetSeconds * 1000) / 1000);
  if (second !== cachedSecond) {
    cachedText = rfc3339(second * 1000);
    cachedSecond = second;
  }
  return cachedText;
}

const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowMicroTime(): string {
  const ns = process.hrtime.bigint() + originNs;
  const ms = Number(ns / 1_000_000n);
  const micros = String(Number((ns / 1000n) % 1000n)).padStart(3, '0');
  return microTime(ms).replace(/000Z$/, `${micros}Z`);
}
