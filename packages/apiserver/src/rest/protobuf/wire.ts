// A protobuf wire-format reader of our own rather than protobufjs' decoder: protobufjs skips
// field numbers it does not know without a word, and reads int64 beyond 2^53 into a rounded
// double; Kubernetes bodies must fail loudly on both. Every read is bounds-checked and throws
// WireError, which the codec turns into a 400.

export class WireError extends Error {
  /** Where in the message: field names from the outside in, added as the error unwinds. */
  readonly path: string[] = [];
  describe(): string {
    return this.path.length ? `${this.path.join('.').replace(/\.\[/g, '[')}: ${this.message}` : this.message;
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

export class WireReader {
  pos: number;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    this.pos = start;
    this.end = end;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint of up to 10 bytes, as a bigint (exact). */
  private varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data in a varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result & (TWO_64 - 1n);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint as a non-negative number; most are one or two bytes, read without bigint. */
  uvarint(): number {
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data in a varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    this.pos = start;
    const big = this.varintBig();
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError(`value ${big} is beyond 2^53`);
    return Number(big);
  }

  /** A varint read as a two's-complement int64 (int32 negatives are sign-extended to 10 bytes). */
  int64(): number {
    const start = this.pos;
    let fast = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data in a varint');
      const b = this.buf[this.pos++];
      fast += (b & 0x7f) * mul;
      if (b < 0x80) return fast;
      mul *= 128;
    }
    this.pos = start;
    let big = this.varintBig();
    if (big >= TWO_63) big -= TWO_64;
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new WireError(`integer ${big} is beyond 2^53 and cannot be represented exactly`);
    }
    return Number(big);
  }

  int32(): number {
    const v = this.int64();
    if (v > 2147483647 || v < -2147483648) throw new WireError(`value ${v} does not fit in an int32`);
    return v;
  }

  uint32(): number {
    const v = this.uvarint();
    if (v > 0xffffffff) throw new WireError(`value ${v} does not fit in a uint32`);
    return v;
  }

  sint64(): number {
    const big = this.varintBig();
    const v = (big >> 1n) ^ -(big & 1n);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new WireError(`integer ${v} is beyond 2^53`);
    return Number(v);
  }

  bool(): boolean {
    return this.uvarint() !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new WireError('unexpected end of data in a double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  float(): number {
    if (this.pos + 4 > this.end) throw new WireError('unexpected end of data in a float');
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The bounds of a length-delimited value; the reader moves past it. */
  delimited(): [number, number] {
    const len = this.uvarint();
    const start = this.pos;
    if (len > this.end - start) throw new WireError(`length ${len} runs past the end of the data`);
    this.pos = start + len;
    return [start, start + len];
  }

  bytes(): Buffer {
    const [s, e] = this.delimited();
    return this.buf.subarray(s, e);
  }

  string(): string {
    const [s, e] = this.delimited();
    return this.buf.toString('utf8', s, e);
  }

  /** A field's key: (number << 3) | wire type. Field numbers stop at 2^29 - 1. */
  tag(): number {
    const key = this.uvarint();
    if (key < 8 || key > 0xffffffff) throw new WireError(`field key ${key} is not valid`);
    return key >>> 0;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varintBig();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw new WireError('unexpected end of data');
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.delimited();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw new WireError('unexpected end of data');
        this.pos += 4;
        return;
      default:
        throw new WireError(`wire type ${wireType} is not supported`);
    }
  }
}
