import { endianness } from 'node:os';
import type { DType } from './dtype.js';

/**
 * Health of one tensor, counted on raw bit patterns: a fp16/bf16 NaN or Inf is an exponent of all
 * ones, tested before any widening so no pattern is lost. Finite statistics skip NaN/±Inf.
 */
export interface TensorHealth {
  elements: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** Exact zeros (+0 and -0). */
  zeros: number;
  /** Finite elements; min/max/sums are over these. */
  finite: number;
  min: number;
  max: number;
  sumAbs: number;
  sumSquares: number;
}

export function newHealth(): TensorHealth {
  return { elements: 0, nan: 0, posInf: 0, negInf: 0, zeros: 0, finite: 0, min: Infinity, max: -Infinity, sumAbs: 0, sumSquares: 0 };
}

export function meanAbs(h: TensorHealth): number {
  return h.finite > 0 ? h.sumAbs / h.finite : NaN;
}

export function rms(h: TensorHealth): number {
  return h.finite > 0 ? Math.sqrt(h.sumSquares / h.finite) : NaN;
}

export function nonFinite(h: TensorHealth): number {
  return h.nan + h.posInf + h.negInf;
}

/** Folds `b` into `a` (block and file totals). */
export function addHealth(a: TensorHealth, b: TensorHealth): void {
  a.elements += b.elements;
  a.nan += b.nan;
  a.posInf += b.posInf;
  a.negInf += b.negInf;
  a.zeros += b.zeros;
  a.finite += b.finite;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
  a.sumAbs += b.sumAbs;
  a.sumSquares += b.sumSquares;
}

const LITTLE_ENDIAN = endianness() === 'LE';

function halfTable(): Float64Array {
  const t = new Float64Array(65536);
  for (let b = 0; b < 65536; b++) {
    const sign = b & 0x8000 ? -1 : 1;
    const exp = (b >> 10) & 0x1f;
    const man = b & 0x3ff;
    if (exp === 0) t[b] = sign * man * 2 ** -24;
    else if (exp === 31) t[b] = man ? NaN : sign * Infinity;
    else t[b] = sign * (1 + man / 1024) * 2 ** (exp - 15);
  }
  return t;
}

function bfloatTable(): Float64Array {
  const t = new Float64Array(65536);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let b = 0; b < 65536; b++) {
    u[0] = b << 16;
    t[b] = f[0];
  }
  return t;
}

/** OCP FP8: E4M3 ("fn": no Inf, S.1111.111 is NaN) and E5M2 (IEEE-like). */
function fp8Table(expBits: 4 | 5): Float64Array {
  const t = new Float64Array(256);
  const manBits = 7 - expBits;
  const bias = expBits === 4 ? 7 : 15;
  const expMax = (1 << expBits) - 1;
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    const exp = (b >> manBits) & expMax;
    const man = b & ((1 << manBits) - 1);
    if (expBits === 5 && exp === expMax) t[b] = man ? NaN : sign * Infinity;
    else if (expBits === 4 && exp === expMax && man === 7) t[b] = NaN;
    else if (exp === 0) t[b] = sign * man * 2 ** (1 - bias - manBits);
    else t[b] = sign * (1 + man / (1 << manBits)) * 2 ** (exp - bias);
  }
  return t;
}

/** Per 16-bit format: the value of each bit pattern, and |value| and value² (0 for NaN/Inf) for the counting path. */
interface HalfTables {
  value: Float64Array;
  abs: Float64Array;
  square: Float64Array;
}

function halfTables(value: Float64Array): HalfTables {
  const abs = new Float64Array(65536);
  const square = new Float64Array(65536);
  for (let b = 0; b < 65536; b++) {
    const v = value[b];
    abs[b] = Number.isFinite(v) ? Math.abs(v) : 0;
    square[b] = Number.isFinite(v) ? v * v : 0;
  }
  return { value, abs, square };
}

let tables: { f16: HalfTables; bf16: HalfTables; e4m3: Float64Array; e5m2: Float64Array } | undefined;
function lookup() {
  if (!tables) {
    tables = { f16: halfTables(halfTable()), bf16: halfTables(bfloatTable()), e4m3: fp8Table(4), e5m2: fp8Table(5) };
    warmUp();
  }
  return tables;
}

/**
 * Runs every path of the scanners once on a few elements. Without this, the first big tensor
 * gets its loop compiled mid-call (OSR) before the code after the loop has run, and that compiled
 * loop then deoptimises at the loop exit on every later call: several times slower for the whole file.
 */
function warmUp(): void {
  const bits = new Uint16Array([0x3c00, 0x7c00, 0xfc00, 0x7e01, 0x0000, 0x8000, 0xbc00, 0x7f80, 0xff80, 0x7fc1, 0x0001]);
  const bytes = new Uint8Array(bits.buffer);
  const out = new Float64Array(bits.length);
  for (const dtype of ['F16', 'BF16'] as const) {
    for (const piece of [bytes, bytes.subarray(2), bytes.subarray(0, 8)]) {
      scanElements(dtype, piece, newHealth(), out, 0);
      scanElements(dtype, piece, newHealth());
      const counts = newHalfCounts();
      countHalf(piece, counts);
      healthFromCounts(dtype, counts, newHealth());
      halfValues(dtype, piece, out, 0);
    }
  }
  const f32 = new Float32Array([1, NaN, Infinity, -Infinity, 0, -2]);
  scanElements('F32', new Uint8Array(f32.buffer), newHealth(), new Float64Array(6), 0);
  scanElements('F32', new Uint8Array(f32.buffer), newHealth());
}

/**
 * Adds the elements in `bytes` (whole elements of `dtype`, little-endian) to `h`. When `out` is
 * given, the values are also written to `out[at…]` (modules need them for their Gram matrices).
 * `bytes.byteOffset` must be a multiple of the element size (callers copy misaligned pieces).
 */
export function scanElements(dtype: DType, bytes: Uint8Array, h: TensorHealth, out?: Float64Array, at = 0): void {
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  const len = bytes.byteLength;
  if (!LITTLE_ENDIAN && dtype !== 'U8' && dtype !== 'I8' && dtype !== 'BOOL' && dtype !== 'F8_E4M3' && dtype !== 'F8_E5M2') {
    bytes = swapToNative(bytes, dtypeBytes(dtype));
    return scanElements(dtype, bytes, h, out, at);
  }
  switch (dtype) {
    case 'F16':
      return scanHalf(bytes, 0x7c00, 0x03ff, lookup().f16, h, out, at);
    case 'BF16':
      return scanHalf(bytes, 0x7f80, 0x007f, lookup().bf16, h, out, at);
    case 'F32':
      return scanFloat(new Float32Array(buf, off, len >> 2), h, out, at);
    case 'F64':
      return scanFloat(new Float64Array(buf, off, len >> 3), h, out, at);
    case 'F8_E4M3':
      return scanTable(bytes, lookup().e4m3, h, out, at);
    case 'F8_E5M2':
      return scanTable(bytes, lookup().e5m2, h, out, at);
    case 'I8':
      return scanFloat(new Int8Array(buf, off, len), h, out, at);
    case 'U8':
    case 'BOOL':
      return scanFloat(bytes, h, out, at);
    case 'I16':
      return scanFloat(new Int16Array(buf, off, len >> 1), h, out, at);
    case 'U16':
      return scanFloat(new Uint16Array(buf, off, len >> 1), h, out, at);
    case 'I32':
      return scanFloat(new Int32Array(buf, off, len >> 2), h, out, at);
    case 'U32':
      return scanFloat(new Uint32Array(buf, off, len >> 2), h, out, at);
    case 'I64':
      return scanBig(new BigInt64Array(buf, off, len >> 3), h, out, at);
    case 'U64':
      return scanBig(new BigUint64Array(buf, off, len >> 3), h, out, at);
  }
}

function dtypeBytes(dtype: DType): number {
  return dtype === 'F64' || dtype === 'I64' || dtype === 'U64' ? 8 : dtype === 'F32' || dtype === 'I32' || dtype === 'U32' ? 4 : 2;
}

function swapToNative(bytes: Uint8Array, size: number): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) copy[i + j] = bytes[i + size - 1 - j];
  return copy;
}

/**
 * 16-bit floats, two per 32-bit load (V8 loads Uint32Array elements far faster than Uint16Array
 * ones). NaN/Inf are classified on the bits in a rare, well-predicted branch; the rest is
 * branch-free on the values (Math.abs/min/max), as random signs would defeat branch prediction.
 */
function scanHalf(bytes: Uint8Array, expMask: number, manMask: number, t: HalfTables, h: TensorHealth, out: Float64Array | undefined, at: number): void {
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

function scanTable(u: Uint8Array, table: Float64Array, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const values = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) values[i] = table[u[i]];
  scanFloat(values, h, out, at);
}

type NumberArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Wider floats and integers: NaN is `v !== v`, Inf compares equal; same classes as the bit tests. */
function scanFloat(a: NumberArray, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const n = a.length;
  let nan = 0;
  let pos = 0;
  let neg = 0;
  let zeros = 0;
  let min = h.min;
  let max = h.max;
  let sa = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v !== v) {
      nan++;
      continue;
    }
    if (v === Infinity) {
      pos++;
      continue;
    }
    if (v === -Infinity) {
      neg++;
      continue;
    }
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
    sa += Math.abs(v);
    sq += v * v;
  }
  h.elements += n;
  h.nan += nan;
  h.posInf += pos;
  h.negInf += neg;
  h.zeros += zeros;
  h.finite += n - nan - pos - neg;
  h.min = min;
  h.max = max;
  h.sumAbs += sa;
  h.sumSquares += sq;
  if (out) for (let i = 0; i < n; i++) out[at + i] = a[i];
}

function scanBig(a: BigInt64Array | BigUint64Array, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const values = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) values[i] = Number(a[i]);
  scanFloat(values, h, out, at);
}

/**
 * Big 16-bit tensors: count each bit pattern (one load and one increment per element), then take
 * every statistic from the 65536 counts. Exact, independent of how the tensor was chunked, and
 * faster than per-element arithmetic once a tensor has more elements than there are patterns.
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
