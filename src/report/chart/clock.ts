/** Linear through a run's clock knots `[step, seconds, …]`, extended along the end segments. */
export function clockAt(knots: number[], step: number): number {
  const n = knots.length / 2;
  if (n === 0) return NaN;
  if (n === 1) return knots[1];
  let lo = 0;
  let hi = n - 1;
  if (step <= knots[0]) hi = 1;
  else if (step >= knots[2 * (n - 1)]) lo = n - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (knots[2 * mid] <= step) lo = mid;
      else hi = mid;
    }
  }
  const s0 = knots[2 * lo];
  const s1 = knots[2 * hi];
  const t0 = knots[2 * lo + 1];
  const t1 = knots[2 * hi + 1];
  return s1 === s0 ? t0 : t0 + ((step - s0) * (t1 - t0)) / (s1 - s0);
}
