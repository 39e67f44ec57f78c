/**
 * ‖U·D‖_F without forming U·D (out × in, often millions of entries): with U out×r and D r×n,
 * ‖UD‖²_F = trace(Dᵀ Uᵀ U D) = trace((UᵀU)(DDᵀ)) = Σ_ij (UᵀU)_ij (DDᵀ)_ij, two r×r Gram matrices.
 */

/**
 * D·Dᵀ for row-major `rows` × `cols` values: dot products of rows (r×r, symmetric, full storage).
 * 4×4 tiles of rows share each load across four dot products (about twice the naive speed in V8).
 */
export function rowGram(values: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  const tiled = rows - (rows % 4);
  for (let i = 0; i < tiled; i += 4) for (let j = i; j < tiled; j += 4) tile(values, cols, i, j, g, rows);
  for (let i = 0; i < rows; i++) {
    for (let j = Math.max(i, tiled); j < rows; j++) {
      const s = dot(values, i * cols, j * cols, cols);
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  }
  return g;
}

function dot(v: Float64Array, a: number, b: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    s0 += v[a + k] * v[b + k];
    s1 += v[a + k + 1] * v[b + k + 1];
  }
  if (k < n) s0 += v[a + k] * v[b + k];
  return s0 + s1;
}

function tile(v: Float64Array, cols: number, i: number, j: number, g: Float64Array, rows: number): void {
  const a0 = i * cols;
  const a1 = a0 + cols;
  const a2 = a1 + cols;
  const a3 = a2 + cols;
  const b0 = j * cols;
  const b1 = b0 + cols;
  const b2 = b1 + cols;
  const b3 = b2 + cols;
  let s00 = 0,
    s01 = 0,
    s02 = 0,
    s03 = 0,
    s10 = 0,
    s11 = 0,
    s12 = 0,
    s13 = 0;
  let s20 = 0,
    s21 = 0,
    s22 = 0,
    s23 = 0,
    s30 = 0,
    s31 = 0,
    s32 = 0,
    s33 = 0;
  for (let k = 0; k < cols; k++) {
    const x0 = v[a0 + k];
    const x1 = v[a1 + k];
    const x2 = v[a2 + k];
    const x3 = v[a3 + k];
    const y0 = v[b0 + k];
    const y1 = v[b1 + k];
    const y2 = v[b2 + k];
    const y3 = v[b3 + k];
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
    s20 += x2 * y0;
    s21 += x2 * y1;
    s22 += x2 * y2;
    s23 += x2 * y3;
    s30 += x3 * y0;
    s31 += x3 * y1;
    s32 += x3 * y2;
    s33 += x3 * y3;
  }
  const put = (p: number, q: number, s: number) => {
    g[p * rows + q] = s;
    g[q * rows + p] = s;
  };
  put(i, j, s00);
  put(i, j + 1, s01);
  put(i, j + 2, s02);
  put(i, j + 3, s03);
  put(i + 1, j, s10);
  put(i + 1, j + 1, s11);
  put(i + 1, j + 2, s12);
  put(i + 1, j + 3, s13);
  put(i + 2, j, s20);
  put(i + 2, j + 1, s21);
  put(i + 2, j + 2, s22);
  put(i + 2, j + 3, s23);
  put(i + 3, j, s30);
  put(i + 3, j + 1, s31);
  put(i + 3, j + 2, s32);
  put(i + 3, j + 3, s33);
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
