// @ts-check
// TensorBoard's smoothing in the browser: the same function as src/report/smoothing.ts (tested
// against the same hand-computed vector), plus its form over equal-count buckets for series the
// page only holds downsampled.

/**
 * Debiased EMA in index order; non-finite points pass through, a constant series is returned as is.
 * @param {ArrayLike<number>} values
 * @param {number} weight
 * @returns {Float64Array}
 */
function tbSmooth(values, weight) {
  const w = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
  const n = values.length;
  const out = new Float64Array(n);
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (values[i] !== values[0]) constant = false;
  if (constant && (n === 0 || values[0] === values[0])) {
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

/**
 * The same recurrence over buckets of consecutive points, each summarised by the mean of its finite
 * values and their count: exact when every value in a bucket equals its mean (so for buckets of one
 * point), and close whenever the EMA window 1/(1−w) spans several buckets. Returns the smoothed value at
 * each bucket's last point; NaN for a bucket without finite values.
 * @param {ArrayLike<number>} means
 * @param {ArrayLike<number>} counts finite points per bucket
 * @param {number} weight
 * @param {boolean} constant the full series was constant (then the means are returned as they are)
 * @returns {Float64Array}
 */
function tbSmoothBuckets(means, counts, weight, constant) {
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
    const k = counts[i];
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
