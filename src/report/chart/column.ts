import type { Column } from '../compare/compare-model.js';

/** Base64 → bytes with atob (browsers and Node ≥ 16), as the page runs this too. */
function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** A page column back to numbers: arithmetic runs expanded, Float32/Float64 little-endian read as float64. */
export function decodeColumn(c: Column): Float64Array {
  if ('r' in c) {
    let total = 0;
    for (const r of c.r) total += r[2];
    const out = new Float64Array(total);
    let k = 0;
    for (const [start, delta, count] of c.r) for (let i = 0; i < count; i++) out[k++] = start + i * delta;
    return out;
  }
  if ('f32' in c) return Float64Array.from(new Float32Array(fromBase64(c.f32).buffer));
  return new Float64Array(fromBase64(c.f64).buffer);
}
