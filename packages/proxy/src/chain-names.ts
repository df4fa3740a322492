// Chain names as kube-proxy makes them: a fixed part plus 16 characters of the base32
// SHA-256 of what the chain stands for, so names are stable across restarts and fit
// iptables' 28-character limit.
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function hash16(input: string): string {
  const bytes = createHash('sha256').update(input).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}

/** A prefix of 1–6 upper-case letters/digits keeps every chain name ≤ 28 characters. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Z][A-Z0-9]{0,5}$/.test(prefix)) throw new Error(`chain prefix ${JSON.stringify(prefix)}: 1-6 upper-case letters or digits, starting with a letter`);
  return prefix;
}

export class ChainNames {
  constructor(readonly prefix: string) {
    checkPrefix(prefix);
  }
  get services() {
    return `${this.prefix}-SERVICES`;
  }
  get nodePorts() {
    return `${this.prefix}-NODEPORTS`;
  }
  get postrouting() {
    return `${this.prefix}-POSTROUTING`;
  }
  get markMasq() {
    return `${this.prefix}-MARK-MASQ`;
  }
  /** filter: rejects for node ports without endpoints (from INPUT). */
  get external() {
    return `${this.prefix}-EXTERNAL`;
  }
  /** filter: lets masquerade-marked service traffic through FORWARD. */
  get forward() {
    return `${this.prefix}-FORWARD`;
  }
  svc(portName: string, protocol: string) {
    return `${this.prefix}-SVC-${hash16(portName + protocol)}`;
  }
  svl(portName: string, protocol: string) {
    return `${this.prefix}-SVL-${hash16(portName + protocol)}`;
  }
  ext(portName: string, protocol: string) {
    return `${this.prefix}-EXT-${hash16(portName + protocol)}`;
  }
  sep(portName: string, protocol: string, endpoint: string) {
    return `${this.prefix}-SEP-${hash16(portName + protocol + endpoint)}`;
  }
  isOurs(chain: string): boolean {
    return chain.startsWith(`${this.prefix}-`);
  }
}
