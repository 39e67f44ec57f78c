/** Axis extents: the x range over what is drawn, the y range as TensorBoard picks it. */

/** Lowest and highest finite x over the arrays; [0, 1] when none, widened by 1 each side when one value. */
export function xExtent(arrays: Iterable<ArrayLike<number>>): [number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const arr of arrays) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      // ±Inf (a damaged wall time) would make the whole axis infinite.
      if (!Number.isFinite(v)) continue;
      if (v < x0) x0 = v;
      if (v > x1) x1 = v;
    }
  }
  if (!(x1 >= x0)) return [0, 1];
  if (x0 === x1) return [x0 - 1, x1 + 1];
  return [x0, x1];
}

/** TensorBoard's ignoreOutliers: the sorted values at ceil((n−1)·5 %) and floor((n−1)·95 %); plain extent otherwise. */
export function valueDomain(values: number[], log: boolean, ignoreOutliers: boolean): [number, number] | null {
  if (values.length === 0) return null;
  let lo: number;
  let hi: number;
  // Log axes already tame outliers, and a learning rate's decay tail is what one wants to see there.
  if (ignoreOutliers && !log && values.length > 20) {
    const sorted = Float64Array.from(values).sort();
    lo = sorted[Math.ceil((sorted.length - 1) * 0.05)];
    hi = sorted[Math.floor((sorted.length - 1) * 0.95)];
  } else {
    lo = values[0];
    hi = lo;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  let domain: [number, number];
  if (log) {
    if (lo === hi) domain = [lo / 2, hi * 2];
    else {
      const pad = Math.pow(hi / lo, 0.05);
      domain = [lo / pad, hi * pad];
    }
  } else if (lo === hi) {
    const d = Math.abs(lo) * 0.1 || 1;
    domain = [lo - d, hi + d];
  } else {
    const pad = (hi - lo) * 0.05;
    // A series that never goes below zero (a loss) gets no negative axis from the padding.
    domain = [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
  }
  // Values near ±Number.MAX_VALUE overflow the padding to ±Inf, and a scale over an infinite domain maps everything to NaN.
  if (!Number.isFinite(domain[0]) || !Number.isFinite(domain[1]) || !(domain[1] > domain[0])) return finiteDomain(lo, hi);
  return domain;
}

function finiteDomain(lo: number, hi: number): [number, number] {
  const a = Math.max(-Number.MAX_VALUE / 4, lo);
  const b = Math.min(Number.MAX_VALUE / 4, hi);
  return b > a ? [a, b] : [a - 1, a + 1];
}
