import { DTYPE_SIZE, type DType } from './dtype.js';
import { newHealth, type TensorHealth } from './health.js';
import { LITTLE_ENDIAN, lookup, swapToNative } from './float-tables.js';
import { claimCounts, countHalf, halfValues, healthFromCounts, releaseCounts, scanHalf } from './half-scan.js';

export { addHealth, meanAbs, newHealth, nonFinite, rms, type TensorHealth } from './health.js';

/**
 * Adds the elements in `bytes` (whole elements of `dtype`, little-endian) to `h`. When `out` is
 * given, the values are also written to `out[at…]` (modules need them for their Gram matrices).
 * `bytes.byteOffset` must be a multiple of the element size (callers copy misaligned pieces).
 */
export function scanElements(dtype: DType, bytes: Uint8Array, h: TensorHealth, out?: Float64Array, at = 0): void {
  if (!LITTLE_ENDIAN && DTYPE_SIZE[dtype] > 1) bytes = swapToNative(bytes, DTYPE_SIZE[dtype]);
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  const len = bytes.byteLength;
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
 * Runs every path of the scanners once on a few elements. Without this, the first big tensor
 * gets its loop compiled mid-call (OSR) before the code after the loop has run, and that compiled
 * loop then deoptimises at the loop exit on every later call: several times slower for the whole file.
 */
function warmUp(): void {
  const samples = {
    // clean words (with and without a zero), words with NaN/±Inf, an odd tail
    F16: [0x3c00, 0x4000, 0x3800, 0xb800, 0x3c00, 0x0000, 0x8000, 0xbc00, 0x7c00, 0xfc00, 0x7e01, 0x3555, 0x0001],
    BF16: [0x3f80, 0x4000, 0x3f00, 0xbf00, 0x3f80, 0x0000, 0x8000, 0xbf80, 0x7f80, 0xff80, 0x7fc1, 0x3eaa, 0x0001],
  };
  for (const dtype of ['F16', 'BF16'] as const) {
    const bits = new Uint16Array(samples[dtype]);
    const bytes = new Uint8Array(bits.buffer);
    const out = new Float64Array(bits.length);
    for (const piece of [bytes, bytes.subarray(2), bytes.subarray(0, 8), bytes.subarray(0, 16)]) {
      scanElements(dtype, piece, newHealth(), out, 0);
      scanElements(dtype, piece, newHealth());
      if (claimCounts()) {
        countHalf(piece);
        healthFromCounts(dtype, newHealth());
        releaseCounts(false);
      }
      halfValues(dtype, piece, out, 0);
    }
  }
  const f32 = new Float32Array([1, NaN, Infinity, -Infinity, 0, -2]);
  scanElements('F32', new Uint8Array(f32.buffer), newHealth(), new Float64Array(6), 0);
  scanElements('F32', new Uint8Array(f32.buffer), newHealth());
}

warmUp();
