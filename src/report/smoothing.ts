/**
 * TensorBoard's scalar smoothing (line_chart_v2 `classicSmoothing`, debiased since PR #639), applied
 * to every point of a series in index order. The page's browser code (html/smoothing.js) implements
 * the same function; both are tested against one hand-computed vector.
 *
 * - weight: non-finite → 0, clamped to [0, 1];
 * - a series whose every value `==` the first is returned unchanged (so a NaN-first series never is);
 * - non-finite points pass through and leave the average untouched;
 * - otherwise last = w·last + (1−w)·y, n += 1, output last / (1 − wⁿ), with divisor 1 when w = 1.
 */
export function smoothTensorBoard(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
  const n = values.length;
  const out = new Float64Array(n);
  if (isConstant(values)) {
    for (let i = 0; i < n; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let count = 0;
  // Once wⁿ < 1e-17, 1 − wⁿ is exactly 1 in float64 (and stays so): Math.pow, the costly part, can stop.
  let settled = w === 1;
  for (let i = 0; i < n; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    let debias = 1;
    if (!settled) {
      const p = Math.pow(w, count);
      if (p < 1e-17) settled = true;
      else debias = 1 - p;
    }
    out[i] = last / debias;
  }
  return out;
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
 * equals its mean, close whenever the EMA window 1/(1−w) spans several buckets. html/smoothing.js's
 * `tbSmoothBuckets` is the browser copy. NaN where a bucket has no finite value.
 */
export function smoothBuckets(means: ArrayLike<number>, finiteCounts: ArrayLike<number>, weight: number, constant: boolean): Float64Array {
  const w = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
  const n = means.length;
  const out = new Float64Array(n);
  if (constant) {
    for (let i = 0; i < n; i++) out[i] = means[i];
    return out;
  }
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
    let debias = 1;
    if (!settled) {
      const p = Math.pow(w, count);
      if (p < 1e-17) settled = true;
      else debias = 1 - p;
    }
    out[i] = last / debias;
  }
  return out;
}
