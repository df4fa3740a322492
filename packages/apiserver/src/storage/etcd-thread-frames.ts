// The messages between the serving thread and the etcd thread, packed: every call (or answer)
// of one turn of the event loop goes over in one ArrayBuffer. Posting costs per ArrayBuffer
// moved (about 7 µs each here, against about 1 µs for the message itself) and wakes the other
// thread with a system call, and under load many calls and answers fall in one turn.
// A ring in a SharedArrayBuffer with a number posted only as a wake-up was tried instead: one
// wake-up per ~8 creates rather than one per turn, yet creates/s did not move (REST c64 A/B,
// 3 pairs) and postMessage kept ~7 % of the profile: what profiles show there is the woken
// thread taking the core (2 cores), not the moving of the buffer.

/** One call or answer: its id, a kind (the call's method, the answer's outcome), a code and bytes. */
export interface FrameRecord {
  id: number;
  kind: number;
  code: number;
  bytes: Uint8Array;
}

const HEADER = 13; // u32 id, u8 kind, u32 code, u32 length

/** Records gathered in a turn and posted together at its end (setImmediate). */
export class FrameBatch {
  private records: FrameRecord[] = [];
  private size = 0;
  private scheduled = false;

  constructor(private readonly post: (frames: ArrayBuffer) => void) {}

  add(id: number, kind: number, code: number, bytes: Uint8Array): void {
    this.records.push({ id, kind, code, bytes });
    this.size += HEADER + bytes.byteLength;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    const records = this.records;
    const frames = new ArrayBuffer(this.size);
    this.records = [];
    this.size = 0;
    this.scheduled = false;
    const view = new DataView(frames);
    const out = new Uint8Array(frames);
    let at = 0;
    for (const r of records) {
      view.setUint32(at, r.id);
      view.setUint8(at + 4, r.kind);
      view.setUint32(at + 5, r.code);
      view.setUint32(at + 9, r.bytes.byteLength);
      out.set(r.bytes, at + HEADER);
      at += HEADER + r.bytes.byteLength;
    }
    if (records.length) this.post(frames);
  };
}

/** Each record of a posted buffer, its bytes a view into it (no copy). */
export function readFrames(frames: ArrayBuffer, each: (id: number, kind: number, code: number, bytes: Buffer) => void): void {
  const view = new DataView(frames);
  for (let at = 0; at + HEADER <= frames.byteLength; ) {
    const length = view.getUint32(at + 9);
    each(view.getUint32(at), view.getUint8(at + 4), view.getUint32(at + 5), Buffer.from(frames, at + HEADER, length));
    at += HEADER + length;
  }
}
