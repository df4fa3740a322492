// Bytes kept as long as an event is (its encoded forms, cached per event for every watcher).
// Node hands out Buffers under 4 KiB as slices of a shared 8 KiB pool, and one slice that is
// kept keeps its whole pool alive: at 1000 nodes and 5000 pods, 2 961 such pools (23 MiB of
// the apiserver's RSS) were held by one or two cached watch events each.

/** A string's UTF-8 bytes in memory of their own (never a slice of Node's pool). */
export function keptUtf8(s: string): Buffer {
  const own = Buffer.allocUnsafeSlow(Buffer.byteLength(s));
  own.write(s, 0, 'utf8');
  return own;
}
