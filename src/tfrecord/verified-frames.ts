import { crc32cTables } from './crc32c.js';

// The scanner's common case — a run of intact records — handed to WebAssembly: reading 32-bit
// words without per-byte bounds checks makes the two CRCs per record about twice as fast as in
// JavaScript, and one call covers thousands of records, so the JS↔Wasm call cost vanishes.
// Anything unusual (bad CRC, length ≥ 2^32, a record not wholly inside the mirrored bytes) just
// ends the run; scan.ts then handles that record in JavaScript exactly as before.
//
// The module, assembled by scripts/verified-frames-wasm.mjs (no toolchain needed):
//   memory 21 pages: [0, 8192) slicing-by-8 tables T0..T7, [8192, OUT_END) payload ends, DATA.. bytes
//   func crc(p, end) -> masked CRC-32C of [p, end) as i32 (slicing-by-8, then bytewise)
//   func frames(p, end) -> n: while end - p >= 16, the length CRC matches, the high length word
//     is 0, the record fits in [p, end) and the payload CRC matches: store the payload end at
//     8192 + 4n, n++, p = payload end + 4.
const WASM =
  'AGFzbQEAAAABBwFgAn9/AX8DAwIAAAUDAQAVBxYDA2NyYwAABmZyYW1lcwABA21lbQIACu8CAvUBAQR/QX8hAiABIAEgAGtBB3FrIQUCQANAIAAgBU8NASAAKAIAIAJzIQMgACgCBCEEIANB/wFxQQJ0KAKAOCADQQh2Qf8BcUECdCgCgDBzIANBEHZB/wFxQQJ0KAKAKHMgA0EYdkECdCgCgCBzIARB/wFxQQJ0KAKAGHMgBEEIdkH/AXFBAnQoAoAQcyAEQRB2Qf8BcUECdCgCgAhzIARBGHZBAnQoAgBzIQIgAEEIaiEADAALCwJAA0AgACABTw0BIAIgAC0AAHNB/wFxQQJ0KAIAIAJBCHZzIQIgAEEBaiEADAALCyACQX9zQQ94QdjVi5R6agt2AQN/AkADQCABIABrQRBJDQEgACAAQQhqEAAgACgCCEcNASAAKAIEDQEgACgCACIDIAEgAGtBEGtLDQEgAEEMaiADaiEEIABBDGogBBAAIAQoAgBHDQEgAkECdCAENgKAQCACQQFqIQIgBEEEaiEADAALCyACCw==';

const OUT = 8192;
/** Records are ≥ 16 bytes, so MIRROR / 16 payload ends fit in [OUT, DATA). */
const MIRROR = 1 << 20;
const DATA = OUT + MIRROR / 4;
/** Re-mirror before fewer bytes than this are left, so a run is not cut short by a typical record. */
const MIN_LEFT = 1 << 16;

const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WASM, 'base64')));
const memory = instance.exports.mem as WebAssembly.Memory;
const frames = instance.exports.frames as (p: number, end: number) => number;
const heap = new Uint8Array(memory.buffer);
const ends = new Int32Array(memory.buffer, OUT, MIRROR / 16);
new Int32Array(memory.buffer, 0, 2048).set(crc32cTables());

/** WebAssembly memory is little-endian; the tables were copied in host order. On a big-endian host the fast path stays off. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

let mirrorOf: Uint8Array | null = null;
let mirrorFrom = 0;
let mirrorTo = 0;
let epoch = 0;

/** Forgets the mirrored bytes: the caller may have refilled its buffer. */
export function forgetMirror(): void {
  mirrorOf = null;
  epoch++;
}

/** Changes whenever the mirror (and so the payload ends of the last run) may have changed. */
export function mirrorEpoch(): number {
  return epoch;
}

/**
 * How many intact records lie back to back from b[from] within b[from, limit). The k-th one's
 * payload ends at `verifiedEnd(k)` (its footer follows); it starts 12 bytes after the previous end's footer.
 */
export function verifiedRun(b: Uint8Array, from: number, limit: number): number {
  if (!HOST_LITTLE_ENDIAN) return 0;
  if (b !== mirrorOf || from < mirrorFrom || (mirrorTo - from < MIN_LEFT && mirrorTo < limit)) {
    mirrorFrom = from;
    mirrorTo = Math.min(limit, from + MIRROR);
    heap.set(b.subarray(mirrorFrom, mirrorTo), DATA);
    mirrorOf = b;
    epoch++;
  }
  return frames(DATA + from - mirrorFrom, DATA + Math.min(limit, mirrorTo) - mirrorFrom);
}

export function verifiedEnd(k: number): number {
  return ends[k] - DATA + mirrorFrom;
}
