import { endianness } from 'node:os';

/** Value tables per bit pattern for the narrow float formats: decoding is one lookup. */

export const LITTLE_ENDIAN = endianness() === 'LE';

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
export interface HalfTables {
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
/** Built on first use (about 1.5 MB). */
export function lookup() {
  return (tables ??= { f16: halfTables(halfTable()), bf16: halfTables(bfloatTable()), e4m3: fp8Table(4), e5m2: fp8Table(5) });
}

/** A byte-swapped copy, for big-endian hosts (safetensors data is little-endian). */
export function swapToNative(bytes: Uint8Array, size: number): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) copy[i + j] = bytes[i + size - 1 - j];
  return copy;
}
