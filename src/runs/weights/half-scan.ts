import { lookup, LITTLE_ENDIAN, swapToNative, type HalfTables } from './float-tables.js';
import type { TensorHealth } from './tensor-health.js';

/**
 * 16-bit floats, two per 32-bit load (V8 loads Uint32Array elements far faster than Uint16Array
 * ones). NaN/Inf are classified on the bits in a rare, well-predicted branch; the rest is
 * branch-free on the values (Math.abs/min/max), as random signs would defeat branch prediction.
 */
export function scanHalf(bytes: Uint8Array, expMask: number, manMask: number, t: HalfTables, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const r: HalfRest = { nan: 0, pos: 0, neg: 0, zeros: 0, min: Infinity, max: -Infinity, sa: 0, sq: 0 };
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
  let min = Infinity;
  let max = -Infinity;
  let sa0 = 0;
  let sa1 = 0;
  let sq0 = 0;
  let sq1 = 0;
  let special = 0;
  for (let i = 0; i < m; i++) {
    const w = words[i];
    if ((w & expMask) === expMask || (w & hiMask) === hiMask) {
      special++;
      continue;
    }
    if ((w & 0x7fff) === 0) zeros++;
    if ((w & 0x7fff0000) === 0) zeros++;
    const v0 = value[w & 0xffff];
    const v1 = value[w >>> 16];
    sa0 += Math.abs(v0);
    sa1 += Math.abs(v1);
    sq0 += v0 * v0;
    sq1 += v1 * v1;
    min = Math.min(min, v0, v1);
    max = Math.max(max, v0, v1);
  }
  r.zeros += zeros;
  r.sa += sa0 + sa1;
  r.sq += sq0 + sq1;
  r.min = Math.min(r.min, min);
  r.max = Math.max(r.max, max);
  // Words holding NaN/Inf, and an odd last element, go one element at a time (a separate
  // function: a closure over the loop's accumulators would keep them off registers).
  if (special > 0) {
    for (let i = 0; i < m; i++) {
      const w = words[i];
      if ((w & expMask) === expMask || (w & hiMask) === hiMask) {
        halfOne(w & 0xffff, expMask, manMask, value, r);
        halfOne(w >>> 16, expMask, manMask, value, r);
      }
    }
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
    // Math.min(0, -0) is -0; report 0.
    if (r.min < h.min) h.min = r.min === 0 ? 0 : r.min;
    if (r.max > h.max) h.max = r.max === 0 ? 0 : r.max;
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
  min: number;
  max: number;
  sa: number;
  sq: number;
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
  if (v < r.min) r.min = v;
  if (v > r.max) r.max = v;
}

function halfInto(bytes: Uint8Array, value: Float64Array, out: Float64Array, at: number): void {
  const u = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  for (let i = 0; i < u.length; i++) out[at + i] = value[u[i]];
}

/**
 * Big 16-bit tensors: count each bit pattern (one load and one increment per element), then take
 * every statistic from the 65536 counts. Exact and independent of how the tensor was chunked; the
 * fixed cost of reading the counts pays off from a few times 65536 elements (measured break-even
 * near 2^18 against the per-element scan).
 */
export const HALF_COUNT_MIN = 1 << 18;

export function newHalfCounts(): Int32Array {
  return new Int32Array(65536);
}

export function countHalf(bytes: Uint8Array, counts: Int32Array): void {
  if (!LITTLE_ENDIAN) bytes = swapToNative(bytes, 2);
  let off = bytes.byteOffset;
  let n = bytes.byteLength >> 1;
  // Two elements per 32-bit load: V8 loads Uint32Array elements far faster than pairs of Uint16Array ones.
  if (off % 4 !== 0 && n > 0) {
    counts[new Uint16Array(bytes.buffer, off, 1)[0]]++;
    off += 2;
    n--;
  }
  const words = new Uint32Array(bytes.buffer, off, n >> 1);
  const m = words.length;
  for (let i = 0; i < m; i++) {
    const w = words[i];
    counts[w & 0xffff]++;
    counts[w >>> 16]++;
  }
  if (n & 1) counts[new Uint16Array(bytes.buffer, off + 4 * m, 1)[0]]++;
}

/**
 * Adds the counted elements to `h` and clears `counts` for the next tensor. The sums run over all
 * patterns without a branch (NaN/Inf patterns weigh 0 in the tables); a data-dependent
 * "is this count zero" branch would mispredict on most patterns.
 */
export function healthFromCounts(dtype: 'F16' | 'BF16', counts: Int32Array, h: TensorHealth): void {
  const f16 = dtype === 'F16';
  const t = f16 ? lookup().f16 : lookup().bf16;
  const expMask = f16 ? 0x7c00 : 0x7f80;
  const manMask = f16 ? 0x03ff : 0x007f;
  const abs = t.abs;
  const square = t.square;
  let elements = 0;
  let sa = 0;
  let sq = 0;
  for (let b = 0; b < 65536; b++) {
    const k = counts[b];
    elements += k;
    sa += k * abs[b];
    sq += k * square[b];
  }
  // Exponent all ones: +Inf/NaN at expMask…0x7fff, -Inf/NaN at 0x8000|expMask…0xffff.
  let nan = 0;
  let pos = counts[expMask];
  let neg = counts[0x8000 | expMask];
  for (let b = expMask + 1; b <= expMask + manMask; b++) nan += counts[b] + counts[0x8000 | b];
  const zeros = counts[0] + counts[0x8000];
  const finite = elements - nan - pos - neg;
  h.elements += elements;
  h.nan += nan;
  h.posInf += pos;
  h.negInf += neg;
  h.zeros += zeros;
  h.finite += finite;
  if (finite > 0) {
    // Largest finite: the highest positive pattern in use, else the negative one nearest zero;
    // smallest: the highest-magnitude negative pattern in use, else the lowest positive one.
    const top = expMask - 1;
    let max = NaN;
    let min = NaN;
    for (let b = top; b >= 0; b--) if (counts[b] !== 0) { max = t.value[b]; break; }
    if (Number.isNaN(max)) for (let b = 0x8000; b <= 0x8000 + top; b++) if (counts[b] !== 0) { max = t.value[b]; break; }
    for (let b = 0x8000 + top; b >= 0x8000; b--) if (counts[b] !== 0) { min = t.value[b]; break; }
    if (Number.isNaN(min)) for (let b = 0; b <= top; b++) if (counts[b] !== 0) { min = t.value[b]; break; }
    if (min < h.min) h.min = min === 0 ? 0 : min;
    if (max > h.max) h.max = max === 0 ? 0 : max;
  }
  h.sumAbs += sa;
  h.sumSquares += sq;
  counts.fill(0);
}

/** The values of 16-bit elements, for factors held for a Gram matrix. */
export function halfValues(dtype: 'F16' | 'BF16', bytes: Uint8Array, out: Float64Array, at: number): void {
  if (!LITTLE_ENDIAN) bytes = swapToNative(bytes, 2);
  halfInto(bytes, (dtype === 'F16' ? lookup().f16 : lookup().bf16).value, out, at);
}
