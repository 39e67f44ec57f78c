/**
 * TensorBoard's scalar smoothing (line_chart_v2 `classicSmoothing`, debiased since PR #639), applied
 * to every point of a series in index order. Shared by the Node renderers and the page's bundled script.
 *
 * - weight: non-finite → 0, clamped to [0, 1];
 * - a series whose every value `==` the first is returned unchanged (so a NaN-first series never is);
 * - non-finite points pass through and leave the average untouched;
 * - otherwise last = w·last + (1−w)·y, n += 1, output last / (1 − wⁿ), with divisor 1 when w = 1.
 */
export function smoothTensorBoard(values: ArrayLike<number>, weight: number): Float64Array {
  const w = smoothingWeight(weight);
  if (isConstant(values)) return Float64Array.from(values);
  const n = values.length;
  const out = new Float64Array(n);
  let last = 0;
  let count = 0;
  // Once the divisor is 1 it stays 1 (wⁿ only falls): Math.pow, the costly part, can stop.
  let settled = w === 1;
  for (let i = 0; i < n; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    const debias = settled ? 1 : debiasDivisor(w, count);
    settled = debias === 1;
    out[i] = last / debias;
  }
  return out;
}

/** The weight as TensorBoard takes it: non-finite → 0, clamped to [0, 1]. */
function smoothingWeight(weight: number): number {
  return Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
}

/** 1 − wⁿ after n finite points (n ≥ 1, w < 1); 1 once wⁿ < 1e-17, where float64 rounds 1 − wⁿ to 1 anyway. */
function debiasDivisor(w: number, count: number): number {
  const p = Math.pow(w, count);
  return p < 1e-17 ? 1 : 1 - p;
}

function isConstant(values: ArrayLike<number>): boolean {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  // `NaN == NaN` is false in TensorBoard's check, so a NaN-first series is never constant.
  return values.length === 0 || first === first;
}

/**
 * The same recurrence over equal-count buckets summarised by the mean of their finite values and
 * their count (pages and SVGs of series too long to embed whole): exact when every value in a bucket
 * equals its mean, close whenever the EMA window 1/(1−w) spans several buckets. NaN where a bucket has
 * no finite value.
 */
export function smoothBuckets(means: ArrayLike<number>, finiteCounts: ArrayLike<number>, weight: number, constant: boolean): Float64Array {
  const w = smoothingWeight(weight);
  if (constant) return Float64Array.from(means);
  const n = means.length;
  const out = new Float64Array(n);
  let last = 0;
  let count = 0;
  let settled = w === 1;
  for (let i = 0; i < n; i++) {
    const k = finiteCounts[i];
    if (!(k > 0)) {
      out[i] = NaN;
      continue;
    }
    const wk = Math.pow(w, k);
    last = last * wk + (1 - wk) * means[i];
    count += k;
    const debias = settled ? 1 : debiasDivisor(w, count);
    settled = debias === 1;
    out[i] = last / debias;
  }
  return out;
}
