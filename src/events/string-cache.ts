import protobuf from 'protobufjs/minimal.js';

const { util } = protobuf;

// A log repeats a handful of tag names millions of times. Decoding each from UTF-8 allocates a
// fresh string that every Map lookup must hash again; returning the same string instance for the
// same bytes costs one hash over the bytes and keeps Map lookups on the fast path.

const SLOTS = 1024; // direct-mapped; a collision only costs a decode
const MAX_BYTES = 256;
const keys: (Uint8Array | undefined)[] = new Array(SLOTS).fill(undefined);
const values: string[] = new Array(SLOTS).fill('');

/** The UTF-8 string of bytes[start, end), exactly as protobufjs decodes it, shared between calls. */
export function cachedUtf8(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > MAX_BYTES || n <= 0) return n <= 0 ? '' : util.utf8.read(bytes, start, end);
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  const slot = (h ^ (h >>> 16)) & (SLOTS - 1);
  const key = keys[slot];
  if (key !== undefined && key.length === n) {
    let same = true;
    for (let k = 0; k < n; k++) {
      if (key[k] !== bytes[start + k]) {
        same = false;
        break;
      }
    }
    if (same) return values[slot];
  }
  const text = util.utf8.read(bytes, start, end);
  keys[slot] = bytes.slice(start, end);
  values[slot] = text;
  return text;
}
