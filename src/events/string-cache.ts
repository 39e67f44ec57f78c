import protobuf from 'protobufjs/minimal.js';

const { util } = protobuf;

// A log repeats a handful of tag names millions of times. Decoding each from UTF-8 allocates a
// fresh string that every Map lookup must hash again; returning the same string instance for the
// same bytes costs one byte comparison and keeps Map lookups on the fast path.
//
// The cache is two-way set-associative over a hash of the length and five sampled bytes (hashing
// every byte costs more than the comparison that follows anyway). A miss only costs a decode, so
// correctness never depends on the hash.

const SETS = 512;
const MAX_BYTES = 64;
const pool = new Uint8Array(SETS * 2 * MAX_BYTES);
const poolView = new DataView(pool.buffer);
const lengths = new Int32Array(SETS * 2).fill(-1);
const strings: string[] = new Array(SETS * 2).fill('');
/** Which way of each set to replace next. */
const victim = new Uint8Array(SETS);

let view: DataView<ArrayBufferLike> = poolView;
let viewOf: Uint8Array | undefined;

/** Compares four bytes per step: tags are typically 8–30 bytes. */
function matches(slot: number, bytes: Uint8Array, bytesView: DataView<ArrayBufferLike>, start: number, n: number): boolean {
  if (lengths[slot] !== n) return false;
  const base = slot * MAX_BYTES;
  let k = 0;
  for (; k + 4 <= n; k += 4) if (poolView.getInt32(base + k) !== bytesView.getInt32(start + k)) return false;
  for (; k < n; k++) if (pool[base + k] !== bytes[start + k]) return false;
  return true;
}

/** The UTF-8 string of bytes[start, end), exactly as protobufjs decodes it, shared between calls. */
export function cachedUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return '';
  if (n > MAX_BYTES) return util.utf8.read(bytes, start, end);
  const h =
    Math.imul(n, 0x9e3779b1) ^
    bytes[start] ^
    (bytes[end - 1] << 7) ^
    (bytes[start + (n >> 1)] << 2) ^
    (bytes[end - 1 - (n >> 1)] << 5) ^
    (bytes[start + (n >> 2)] << 11);
  const set = (h ^ (h >>> 13)) & (SETS - 1);
  const a = set * 2;
  if (bytes !== viewOf) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    viewOf = bytes;
  }
  if (matches(a, bytes, view, start, n)) return strings[a];
  if (matches(a + 1, bytes, view, start, n)) return strings[a + 1];
  const text = util.utf8.read(bytes, start, end);
  const slot = a + victim[set];
  victim[set] ^= 1;
  pool.set(bytes.subarray(start, end), slot * MAX_BYTES);
  lengths[slot] = n;
  strings[slot] = text;
  return text;
}
