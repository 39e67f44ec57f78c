/**
 * ‖U·D‖_F without forming U·D (out × in, often millions of entries): with U out×r and D r×n,
 * ‖UD‖²_F = trace(Dᵀ Uᵀ U D) = trace((UᵀU)(DDᵀ)) = Σ_ij (UᵀU)_ij (DDᵀ)_ij, two r×r Gram matrices.
 */

/** D·Dᵀ for row-major `rows` × `cols` values: dot products of rows (r×r, symmetric, full storage). */
export function rowGram(values: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    const a = i * cols;
    for (let j = i; j < rows; j++) {
      const b = j * cols;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < cols; k += 4) {
        s0 += values[a + k] * values[b + k];
        s1 += values[a + k + 1] * values[b + k + 1];
        s2 += values[a + k + 2] * values[b + k + 2];
        s3 += values[a + k + 3] * values[b + k + 3];
      }
      for (; k < cols; k++) s0 += values[a + k] * values[b + k];
      const s = s0 + s1 + s2 + s3;
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  }
  return g;
}

/** Uᵀ·U for row-major `rows` × `cols` values (cols = rank): the Gram of the columns. */
export function columnGram(values: Float64Array, rows: number, cols: number): Float64Array {
  return rowGram(transpose(values, rows, cols), cols, rows);
}

export function transpose(values: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) t[j * rows + i] = values[o + j];
  }
  return t;
}

/** ‖U·D‖_F from UᵀU and DDᵀ (both r×r). Rounding can make a tiny result negative; clamp at 0. */
export function productNorm(upGram: Float64Array, downGram: Float64Array): number {
  let s = 0;
  for (let i = 0; i < upGram.length; i++) s += upGram[i] * downGram[i];
  return Math.sqrt(Math.max(0, s));
}
