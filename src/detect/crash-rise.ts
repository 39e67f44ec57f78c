import type { LossView } from './loss-view.js';

/**
 * "The loss shot up in its last few points and then the log ends": what a crash at the first NaN
 * leaves behind when the writer raises before logging the NaN (OneTrainer, profile
 * `stopsAtFirstNaN`). The tail's mean ln(loss) over its last k points (k = 2…4: one point is a
 * single draw of heavy-tailed diffusion noise) must exceed every k-point running mean of the window
 * before it — under exchangeable noise that happens by chance with p ≈ 1/(window) per k, so a
 * window of ≥ 200 points keeps a healthy run that simply ends below ~1.5 % over the three k — and
 * lie `minLnRatio` above the window's median (a real jump, not a quiet run's slightly high end).
 */
export interface CrashRise {
  /** Points in the tail that rose. */
  k: number;
  /** exp(tail mean ln − window median ln). */
  ratio: number;
  /** exp(tail mean ln − the window's largest k-point mean ln). */
  aboveMax: number;
  windowPoints: number;
  /** First step of the rising tail. */
  fromStep: number;
}

export const CRASH_RISE = { minWindow: 200, maxWindow: 1000, tails: [2, 3, 4] } as const;

export function crashRise(view: LossView, minLnRatio: number): CrashRise | null {
  let best: CrashRise | null = null;
  for (const k of CRASH_RISE.tails) {
    const end = view.n - k;
    const from = Math.max(0, end - CRASH_RISE.maxWindow);
    if (end - from < CRASH_RISE.minWindow) continue;
    let tail = 0;
    for (let i = end; i < view.n; i++) tail += view.logs[i];
    tail /= k;
    let run = 0;
    for (let i = from; i < from + k; i++) run += view.logs[i];
    let maxMean = run / k;
    for (let i = from + k; i < end; i++) {
      run += view.logs[i] - view.logs[i - k];
      if (run / k > maxMean) maxMean = run / k;
    }
    const sorted = view.logs.slice(from, end).sort();
    const h = sorted.length >> 1;
    const med = sorted.length % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
    if (tail <= maxMean || tail - med < minLnRatio) continue;
    const hit = { k, ratio: Math.exp(tail - med), aboveMax: Math.exp(tail - maxMean), windowPoints: end - from, fromStep: view.steps[end] };
    if (!best || hit.aboveMax > best.aboveMax) best = hit;
  }
  return best;
}
