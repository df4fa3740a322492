// Kubernetes times: metav1.Time is RFC 3339 to the second, MicroTime to the microsecond.
// Every create stamps one; the text changes once a second.
let cachedSecond = NaN;
let cachedText = '';

export function nowTime(offsetSeconds = 0): string {
  const second = Math.floor((Date.now() + offsetSeconds * 1000) / 1000);
  if (second !== cachedSecond) {
    // toISOString is "YYYY-MM-DDTHH:MM:SS.sssZ": drop the milliseconds.
    cachedText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    cachedSecond = second;
  }
  return cachedText;
}

const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowMicroTime(): string {
  const ns = process.hrtime.bigint() + originNs;
  const ms = Number(ns / 1_000_000n);
  const micros = String(Number((ns / 1000n) % 1000n)).padStart(3, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${micros}Z`);
}
