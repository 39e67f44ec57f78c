/** The summary table's loss columns, from a smoothed loss: the CLI computes them over every point, the page again when the slider moves. */

export interface LossStats {
  finalLoss: number | null;
  minLoss: number | null;
  minLossStep: number | null;
}

/**
 * Last finite smoothed value, and the lowest one from index `from` on with its step. The first points
 * say little (kohya's average starts as a mean of a handful of losses), so callers skip the first 10 %.
 */
export function lossStats(steps: ArrayLike<number>, smoothed: ArrayLike<number>, from: number): LossStats {
  let finalLoss: number | null = null;
  let minLoss: number | null = null;
  let minLossStep: number | null = null;
  for (let i = 0; i < smoothed.length; i++) {
    const v = smoothed[i];
    if (!Number.isFinite(v)) continue;
    finalLoss = v;
    if (i >= from && (minLoss === null || v < minLoss)) {
      minLoss = v;
      minLossStep = steps[i];
    }
  }
  return { finalLoss, minLoss, minLossStep };
}
