import type { Column } from './compare-model.js';

/** Arithmetic runs when they are few (steps 1, 2, 3 … become one triple), else undefined. */
function arithmeticRuns(values: ArrayLike<number>, maxRuns: number): [number, number, number][] | undefined {
  const runs: [number, number, number][] = [];
  let i = 0;
  const n = values.length;
  while (i < n) {
    const start = values[i];
    if (!Number.isFinite(start)) return undefined;
    if (i + 1 >= n) {
      runs.push([start, 0, 1]);
      break;
    }
    const delta = values[i + 1] - start;
    let j = i + 1;
    while (j + 1 < n && values[j + 1] - values[j] === delta && Number.isFinite(values[j + 1])) j++;
    // Reconstructing start + k·delta must give every stored value exactly: integers, or a constant.
    const exact = delta === 0 || (Number.isSafeInteger(start) && Number.isSafeInteger(delta) && Number.isSafeInteger(values[j]));
    if (!exact) return undefined;
    runs.push([start, delta, j - i + 1]);
    if (runs.length > maxRuns) return undefined;
    i = j + 1;
  }
  return runs;
}

function base64(view: Float32Array | Float64Array): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/** Float32 keeps a value when it stays finite and non-zero (no overflow to Inf, no underflow to 0). */
function fitsFloat32(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v === 0) continue;
    const f = Math.fround(v);
    if (!Number.isFinite(f) || f === 0) return false;
  }
  return true;
}

/**
 * A column for the page: integer-like sequences as arithmetic runs, others as base64 binary.
 * `precision` 'f32' is for values to display (float32 is what the writers log); it falls back
 * to f64 when a value would not survive the conversion.
 */
export function encodeColumn(values: ArrayLike<number>, precision: 'f32' | 'f64'): Column {
  const runs = arithmeticRuns(values, Math.max(4, values.length >> 4));
  if (runs) return { r: runs };
  if (precision === 'f32' && fitsFloat32(values)) return { f32: base64(Float32Array.from(values)) };
  return { f64: base64(Float64Array.from(values)) };
}
