/** Small numeric helpers over typed arrays (no per-point allocation). */

/** Median of `values[from, to)`; copies the range once. NaN for an empty range. */
export function median(values: Float64Array, from = 0, to = values.length): number {
  const n = to - from;
  if (n <= 0) return NaN;
  const copy = values.slice(from, to).sort();
  const h = n >> 1;
  return n % 2 === 1 ? copy[h] : (copy[h - 1] + copy[h]) / 2;
}

/** Mean and sample variance of `values[from, to)` in one pass (Welford). */
export function meanVar(values: Float64Array, from = 0, to = values.length): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    n++;
    const d = values[i] - mean;
    mean += d / n;
    m2 += d * (values[i] - mean);
  }
  return { mean: n > 0 ? mean : NaN, variance: n > 1 ? m2 / (n - 1) : NaN };
}

/** Short human number: 3 significant digits, exponent form for very small/large magnitudes. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(3)));
}

/** Ratio as "3.4×". */
export function times(x: number): string {
  return `${fmt(x)}×`;
}

/** Share as "12 %". */
export function pct(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : Number(p.toPrecision(2))} %`;
}

/** Rounds evidence numbers so reports stay readable and deterministic. */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
