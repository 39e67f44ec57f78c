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

let tables: { f16: Float64Array; bf16: Float64Array; e4m3: Float64Array; e5m2: Float64Array } | undefined;
function lookup() {
  return (tables ??= { f16: halfTable(), bf16: bfloatTable(), e4m3: fp8Table(4), e5m2: fp8Table(5) });
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
      return scanHalf(new Uint16Array(buf, off, len >> 1), 0x7c00, 0x03ff, lookup().f16, h, out, at);
    case 'BF16':
      return scanHalf(new Uint16Array(buf, off, len >> 1), 0x7f80, 0x007f, lookup().bf16, h, out, at);
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

/** 16-bit floats: classify on the bits (exponent mask all ones → Inf or NaN), then look the value up. */
function scanHalf(u: Uint16Array, expMask: number, manMask: number, table: Float64Array, h: TensorHealth, out: Float64Array | undefined, at: number): void {
  const n = u.length;
  let nan = 0;
  let pos = 0;
  let neg = 0;
  let zeros = 0;
  let min = h.min;
  let max = h.max;
  let sa = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const b = u[i];
    if ((b & expMask) === expMask) {
      if (b & manMask) nan++;
      else if (b & 0x8000) neg++;
      else pos++;
      continue;
    }
    if ((b & 0x7fff) === 0) {
      zeros++;
      continue;
    }
    const v = table[b];
    if (v < min) min = v;
    if (v > max) max = v;
    sa += v < 0 ? -v : v;
    sq += v * v;
  }
  if (zeros > 0) {
    if (min > 0) min = 0;
    if (max < 0) max = 0;
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
  if (out) for (let i = 0; i < n; i++) out[at + i] = table[u[i]];
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
    sa += v < 0 ? -v : v;
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
