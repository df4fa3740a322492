// Kubernetes times: metav1.Time is RFC 3339 to the second, MicroTime to the microsecond.
// Every create stamps one; the text changes once a second, so it is made once a second.
import { rfc3339 } from '@k8ts/api';

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

// Leases renew with a MicroTime each (100/s at 1000 nodes): the second's text is made once a
// second too, and the microseconds come from the monotonic clock, counted from a wall-clock
// origin taken once (microseconds since the epoch stay below 2^53 until the year 2255).
const originHr = process.hrtime();
const originMicros = Date.now() * 1000;
let cachedMicroSecond = NaN;
let cachedMicroPrefix = '';

export function nowMicroTime(): string {
  const [s, ns] = process.hrtime(originHr);
  const micros = originMicros + s * 1_000_000 + Math.floor(ns / 1000);
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedMicroSecond) {
    cachedMicroPrefix = rfc3339(second * 1000).slice(0, -1);
    cachedMicroSecond = second;
  }
  return `${cachedMicroPrefix}.${String(micros - second * 1_000_000).padStart(6, '0')}Z`;
}
