import { lookup, LITTLE_ENDIAN, swapToNative, type HalfTables } from './float-tables.js';
import type { TensorHealth } from './health.js';

/**
 * 16-bit floats, two per 32-bit load (V8 loads Uint32Array elements far faster than Uint16Array
 * ones). NaN/Inf are classified on the bits in a rare, well-predicted branch; the rest has no
 * branch on the data (Math.abs, integer min/max), as random signs would defeat branch prediction.
 */
export function scanHalf(bytes: Uint8Array, expMask: number, manMask: number, t: HalfTables, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const r: HalfRest = { nan: 0, pos: 0, neg: 0, zeros: 0, lo: 0xffff, hi: 0, sa: 0, sq: 0 };
  let off = bytes.byteOffset;
  let n = bytes.byteLength >> 1;
  const total = n;
  const value = t.value;
  if (off % 4 !== 0 && n > 0) {
    halfOne(new Uint16Array(bytes.buffer, off, 1)[0], expMask, manMask, value, r);
    off += 2;
    n--;
  }
  const words = new Uint32Array(bytes.buffer, off, n >> 1);
  const m = words.length;
  const hiMask = expMask << 16;
  let zeros = 0;
  let lo = 0xffff;
  let hi = 0;
  let sa0 = 0;
  let sa1 = 0;
  let sq0 = 0;
  let sq1 = 0;
  let special = 0;
  // Four elements (two words) per iteration; a pair of words holding NaN/Inf is skipped here and
  // redone element by element below (rare, so the branch is well predicted).
  const pairs = m >> 1;
  for (let p = 0; p < pairs; p++) {
    const w = words[2 * p];
    const x = words[2 * p + 1];
    if ((w & expMask) === expMask || (w & hiMask) === hiMask || (x & expMask) === expMask || (x & hiMask) === hiMask) {
      special++;
      continue;
    }
    if ((w & 0x7fff) === 0 || (w & 0x7fff0000) === 0 || (x & 0x7fff) === 0 || (x & 0x7fff0000) === 0) {
      zeros += ((w & 0x7fff) === 0 ? 1 : 0) + ((w & 0x7fff0000) === 0 ? 1 : 0) + ((x & 0x7fff) === 0 ? 1 : 0) + ((x & 0x7fff0000) === 0 ? 1 : 0);
    }
    const v0 = value[w & 0xffff];
    const v1 = value[w >>> 16];
    const v2 = value[x & 0xffff];
    const v3 = value[x >>> 16];
    sa0 += Math.abs(v0) + Math.abs(v2);
    sa1 += Math.abs(v1) + Math.abs(v3);
    sq0 += v0 * v0 + v2 * v2;
    sq1 += v1 * v1 + v3 * v3;
    // Extremes on integer keys (see orderKey), both halves of a word at once: integer min/max
    // compile to conditional moves, float Math.min/max to compare-and-branch sequences.
    const kw = w ^ ((((w >>> 15) & 0x10001) * 0x7fff) | 0x80008000);
    const kx = x ^ ((((x >>> 15) & 0x10001) * 0x7fff) | 0x80008000);
    lo = Math.min(lo, kw & 0xffff, kw >>> 16, kx & 0xffff, kx >>> 16);
    hi = Math.max(hi, kw & 0xffff, kw >>> 16, kx & 0xffff, kx >>> 16);
  }
  r.zeros += zeros;
  r.sa += sa0 + sa1;
  r.sq += sq0 + sq1;
  r.lo = Math.min(r.lo, lo);
  r.hi = Math.max(r.hi, hi);
  // The skipped pairs, a last unpaired word and an odd last element, one element at a time (a
  // separate function: a closure over the loop's accumulators would keep them off registers).
  if (special > 0) {
    for (let p = 0; p < pairs; p++) {
      const w = words[2 * p];
      const x = words[2 * p + 1];
      if ((w & expMask) === expMask || (w & hiMask) === hiMask || (x & expMask) === expMask || (x & hiMask) === hiMask) {
        halfOne(w & 0xffff, expMask, manMask, value, r);
        halfOne(w >>> 16, expMask, manMask, value, r);
        halfOne(x & 0xffff, expMask, manMask, value, r);
        halfOne(x >>> 16, expMask, manMask, value, r);
      }
    }
  }
  if (m & 1) {
    halfOne(words[m - 1] & 0xffff, expMask, manMask, value, r);
    halfOne(words[m - 1] >>> 16, expMask, manMask, value, r);
  }
  if (n & 1) halfOne(new Uint16Array(bytes.buffer, off + 4 * m, 1)[0], expMask, manMask, value, r);
  const finite = total - r.nan - r.pos - r.neg;
  h.elements += total;
  h.nan += r.nan;
  h.posInf += r.pos;
  h.negInf += r.neg;
  h.zeros += r.zeros;
  h.finite += finite;
  if (finite > 0) {
    // ±0 have different keys but one value; report 0, not -0.
    const min = value[fromOrderKey(r.lo)];
    const max = value[fromOrderKey(r.hi)];
    if (min < h.min) h.min = min === 0 ? 0 : min;
    if (max > h.max) h.max = max === 0 ? 0 : max;
  }
  h.sumAbs += r.sa;
  h.sumSquares += r.sq;
  if (out) halfInto(bytes, value, out, at);
}

interface HalfRest {
  nan: number;
  pos: number;
  neg: number;
  zeros: number;
  /** Smallest and largest order key seen. */
  lo: number;
  hi: number;
  sa: number;
  sq: number;
}

/**
 * Sign-magnitude bits → an unsigned key in value order (for finite patterns): positives get the
 * top bit set, negatives have their magnitude bits inverted.
 */
export function orderKey(b: number): number {
  return b & 0x8000 ? b ^ 0xffff : b ^ 0x8000;
}

export function fromOrderKey(key: number): number {
  return key & 0x8000 ? key ^ 0x8000 : key ^ 0xffff;
}

function halfOne(b: number, expMask: number, manMask: number, value: Float64Array, r: HalfRest): void {
  if ((b & expMask) === expMask) {
    if (b & manMask) r.nan++;
    else if (b & 0x8000) r.neg++;
    else r.pos++;
    return;
  }
  if ((b & 0x7fff) === 0) r.zeros++;
  const v = value[b];
  r.sa += Math.abs(v);
  r.sq += v * v;
  const k = orderKey(b);
  if (k < r.lo) r.lo = k;
  if (k > r.hi) r.hi = k;
}

function halfInto(bytes: Uint8Array, value: Float64Array, out: Float64Array, at: number): void {
  const u = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  for (let i = 0; i < u.length; i++) out[at + i] = value[u[i]];
}

/**
 * Big 16-bit tensors: count each bit pattern (an increment per element, no arithmetic), marking
 * which 256-pattern blocks were used, then take every statistic from the counts of the used
 * blocks (weights of one tensor occupy a few dozen of the 256 blocks). Exact and independent of how
 * the tensor was chunked; pays off from about 2^15 elements against the per-element scan.
 *
 * The counts live in module-level arrays: V8 compiles increments into a constant typed array about
 * twice as fast as into one passed in (known length, no bounds checks). A tensor's counting spans
 * awaits, so one scan at a time claims them (`claimCounts`); a concurrent scan that cannot, uses
 * the per-element path for that tensor.
 */
export const HALF_COUNT_MIN = 1 << 15;

const COUNTS = new Int32Array(65536);
/** Non-zero where a block of 256 patterns has a count. */
const TOUCHED = new Uint8Array(256);
let claimed = false;

export function claimCounts(): boolean {
  if (claimed) return false;
  claimed = true;
  return true;
}

/** Gives the counts back; `dirty` when a tensor was abandoned mid-count (damage), so they are cleared. */
export function releaseCounts(dirty: boolean): void {
  if (dirty) {
    COUNTS.fill(0);
    TOUCHED.fill(0);
  }
  claimed = false;
}

/** Counts the 16-bit patterns of `bytes` (call between claimCounts and releaseCounts). */
export function countHalf(bytes: Uint8Array): void {
  if (!LITTLE_ENDIAN) bytes = swapToNative(bytes, 2);
  let off = bytes.byteOffset;
  let n = bytes.byteLength >> 1;
  if (off % 4 !== 0 && n > 0) {
    const b = new Uint16Array(bytes.buffer, off, 1)[0];
    COUNTS[b]++;
    TOUCHED[b >> 8] = 1;
    off += 2;
    n--;
  }
  // Two elements per 32-bit load: V8 loads Uint32Array elements far faster than Uint16Array ones.
  const words = new Uint32Array(bytes.buffer, off, n >> 1);
  const m = words.length;
  for (let i = 0; i < m; i++) {
    const w = words[i];
    const lo = w & 0xffff;
    const hi = w >>> 16;
    COUNTS[lo]++;
    COUNTS[hi]++;
    TOUCHED[lo >> 8] = 1;
    TOUCHED[hi >> 8] = 1;
  }
  if (n & 1) {
    const b = new Uint16Array(bytes.buffer, off + 4 * m, 1)[0];
    COUNTS[b]++;
    TOUCHED[b >> 8] = 1;
  }
}

/** Adds the counted elements to `h` and clears the counts for the next tensor. */
export function healthFromCounts(dtype: 'F16' | 'BF16', h: TensorHealth): void {
  const f16 = dtype === 'F16';
  const t = f16 ? lookup().f16 : lookup().bf16;
  const expMask = f16 ? 0x7c00 : 0x7f80;
  const manMask = f16 ? 0x03ff : 0x007f;
  // Exponent all ones: +Inf/NaN at expMask…0x7fff, -Inf/NaN at 0x8000|expMask…0xffff.
  let nan = 0;
  const pos = COUNTS[expMask];
  const neg = COUNTS[0x8000 | expMask];
  for (let b = expMask + 1; b <= expMask + manMask; b++) nan += COUNTS[b] + COUNTS[0x8000 | b];
  const zeros = COUNTS[0] + COUNTS[0x8000];
  // Largest finite: the highest positive pattern in use, else the negative one nearest zero;
  // smallest: the highest-magnitude negative pattern in use, else the lowest positive one.
  const top = expMask - 1;
  let b = usedPattern(top, -1, -1);
  const maxBits = b >= 0 ? b : usedPattern(0x8000, 0x8000 + top + 1, 1);
  b = usedPattern(0x8000 + top, 0x7fff, -1);
  const minBits = b >= 0 ? b : usedPattern(0, top + 1, 1);
  const sums = countSums(t.abs, t.square);
  const elements = sums[0];
  const finite = elements - nan - pos - neg;
  h.elements += elements;
  h.nan += nan;
  h.posInf += pos;
  h.negInf += neg;
  h.zeros += zeros;
  h.finite += finite;
  if (finite > 0 && minBits >= 0 && maxBits >= 0) {
    const min = t.value[minBits];
    const max = t.value[maxBits];
    if (min < h.min) h.min = min === 0 ? 0 : min;
    if (max > h.max) h.max = max === 0 ? 0 : max;
  }
  h.sumAbs += sums[1];
  h.sumSquares += sums[2];
}

/**
 * Σ counts, Σ count·|v|, Σ count·v² over the used blocks, clearing them (NaN/Inf weigh 0 in the
 * tables). Its own function with nothing after the loop, so compiling the loop mid-call (OSR)
 * leaves no uncompiled code behind to deoptimise on.
 */
function countSums(abs: Float64Array, square: Float64Array): [number, number, number] {
  let elements = 0;
  let sa = 0;
  let sq = 0;
  for (let block = 0; block < 256; block++) {
    if (TOUCHED[block] === 0) continue;
    TOUCHED[block] = 0;
    const end = (block + 1) << 8;
    for (let b = block << 8; b < end; b++) {
      const k = COUNTS[b];
      elements += k;
      sa += k * abs[b];
      sq += k * square[b];
      COUNTS[b] = 0;
    }
  }
  return [elements, sa, sq];
}

/** First pattern from `from` towards `end` (exclusive) with a non-zero count, skipping unused blocks; -1 if none. */
function usedPattern(from: number, end: number, step: 1 | -1): number {
  let b = from;
  while (step > 0 ? b < end : b > end) {
    if (TOUCHED[b >> 8] === 0) {
      b = step > 0 ? ((b >> 8) + 1) << 8 : ((b >> 8) << 8) - 1;
      continue;
    }
    if (COUNTS[b] !== 0) return b;
    b += step;
  }
  return -1;
}

/** The values of 16-bit elements, for factors held for a Gram matrix. */
export function halfValues(dtype: 'F16' | 'BF16', bytes: Uint8Array, out: Float64Array, at: number): void {
  if (!LITTLE_ENDIAN) bytes = swapToNative(bytes, 2);
  halfInto(bytes, (dtype === 'F16' ? lookup().f16 : lookup().bf16).value, out, at);
}
