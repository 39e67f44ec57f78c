import { crc32cAdvance, crc32cShift, maskInt, zeroBytesFactor } from './crc32c.js';

// Resynchronisation may have to check the payload CRC of a candidate record at every offset, and
// a crafted file can make every candidate claim megabytes: hashing each payload afresh costs
// (file size)² bytes. Instead the bytes are hashed once into registers kept every STRIDE bytes;
// the CRC of any range [a, e) then follows from the registers at a and e (the update is linear
// over GF(2)): crc = ~(shift(~P(a), e − a) ^ P(e)). So the work per candidate is bounded, and the
// work per byte too, whatever the bytes are.

/** Registers every 8 bytes: a candidate's payload starts 12 bytes after it, so its mark is still in the window. */
const STRIDE = 8;

/** A chain of prefix registers over absolute file offsets; `marks[k]` is the register at `origin + 8k`. */
export interface PrefixChain {
  origin: number;
  marks: Int32Array;
  count: number;
  /** Bytes hashed so far (the work counter tests assert on). */
  hashed: number;
  /** The shift factor of the last range length: forged headers tend to repeat one length. */
  lastLength: number;
  lastFactor: number;
}

export function newPrefixChain(): PrefixChain {
  return { origin: 0, marks: new Int32Array(0), count: 0, hashed: 0, lastLength: 0, lastFactor: zeroBytesFactor(0) };
}

/**
 * The register at absolute offset x. `b` holds the file from absolute `base`; x ≥ base and x is
 * within the window. Marks before `base` are dropped (their bytes are gone); a chain that cannot
 * reach x from bytes still present restarts at x, which is sound because only differences
 * between two registers of one chain are used.
 */
function prefixAt(c: PrefixChain, b: Uint8Array, base: number, x: number): number {
  if (c.count > 0 && c.origin + STRIDE <= base) {
    const drop = Math.min(c.count, Math.floor((base - c.origin) / STRIDE));
    c.marks.copyWithin(0, drop, c.count);
    c.count -= drop;
    c.origin += drop * STRIDE;
  }
  if (c.count === 0 || x < c.origin || c.origin + (c.count - 1) * STRIDE < base) {
    c.origin = x;
    c.count = 0;
    push(c, 0);
    return 0;
  }
  const k = Math.floor((x - c.origin) / STRIDE);
  for (let last = c.origin + (c.count - 1) * STRIDE; c.count <= k; last += STRIDE) {
    push(c, crc32cAdvance(c.marks[c.count - 1], b, last - base, last + STRIDE - base));
  }
  const mark = c.origin + k * STRIDE;
  c.hashed += x - mark;
  return crc32cAdvance(c.marks[k], b, mark - base, x - base);
}

function push(c: PrefixChain, register: number): void {
  if (c.count === c.marks.length) {
    const next = new Int32Array(Math.max(1024, c.marks.length * 2));
    next.set(c.marks.subarray(0, c.count));
    c.marks = next;
  }
  if (c.count > 0) c.hashed += STRIDE;
  c.marks[c.count++] = register;
}

/** Masked CRC-32C (as a signed int32, like maskedCrc32cInt) of the file bytes [a, e), both within the window. */
export function rangeMaskedCrc32c(c: PrefixChain, b: Uint8Array, base: number, a: number, e: number): number {
  const pa = prefixAt(c, b, base, a);
  const pe = prefixAt(c, b, base, e);
  if (e - a !== c.lastLength) {
    c.lastLength = e - a;
    c.lastFactor = zeroBytesFactor(e - a);
  }
  return maskInt(~(crc32cShift(~pa, c.lastFactor) ^ pe));
}

/** Forgets the chain once resynchronisation ends (its memory is about half the bytes it covered). */
export function resetPrefixChain(c: PrefixChain): void {
  c.count = 0;
  if (c.marks.length > 1 << 16) c.marks = new Int32Array(0);
}
