import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';
import { median, round, times } from './numbers.js';

/**
 * Isolated spikes: one point far above the median of the points before it (itself excluded, so a
 * spike cannot inflate its own baseline) and above everything in that window. Diffusion loss at
 * batch 1 routinely reaches ~90× its running median (t ≈ T gives loss ≈ 1 while the median is
 * ≈ 0.01–0.02), so the ratio threshold sits well above that. Spikes are notices: single points are
 * not evidence of divergence. A point beyond `extremeRatio` × the run median is a warning.
 */
export function detectLossOutlier(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run);
  const c = config.outlier;
  if (!view || view.n <= c.minHistory) return [];
  const { logs, steps, n } = view;
  const lnMedianRatio = Math.log(c.medianRatio);
  const lnMaxRatio = Math.log(c.maxRatio);
  const lnExtreme = Math.log(c.extremeRatio);
  const runMedian = median(logs, 0, n);
  // Sorted window of the previous `window` ln values, maintained by binary insertion/removal.
  const win = new Float64Array(c.window);
  let len = 0;
  let count = 0;
  let extreme = 0;
  let worst = -Infinity;
  let worstIdx = -1;
  let firstIdx = -1;
  let lastIdx = -1;
  for (let i = 0; i < n; i++) {
    const x = logs[i];
    if (len >= c.minHistory) {
      const h = len >> 1;
      const med = len % 2 === 1 ? win[h] : (win[h - 1] + win[h]) / 2;
      const r = x - med;
      if (r >= lnMedianRatio && x - win[len - 1] >= lnMaxRatio) {
        count++;
        if (x - runMedian >= lnExtreme) extreme++;
        if (firstIdx < 0) firstIdx = i;
        lastIdx = i;
        if (r > worst) {
          worst = r;
          worstIdx = i;
        }
      }
    }
    if (len === c.window) {
      removeSorted(win, len, logs[i - c.window]);
      len--;
    }
    insertSorted(win, len, x);
    len++;
  }
  if (count === 0) return [];
  const ratio = Math.exp(worst);
  const runRatio = Math.exp(logs[worstIdx] - runMedian);
  const where = count === 1 ? `at step ${steps[worstIdx]}` : `${count} times between steps ${steps[firstIdx]} and ${steps[lastIdx]} (worst at step ${steps[worstIdx]})`;
  return [
    {
      kind: 'loss_outlier',
      severity: extreme > 0 ? 'warning' : 'notice',
      run: input.run.name,
      tag: view.tag,
      step: steps[firstIdx],
      endStep: steps[lastIdx],
      message:
        `${view.tag} spiked to ${times(round(ratio, 3))} the median of the previous ${c.window} points ${where} ` +
        `(threshold ${times(c.medianRatio)}, and ≥ ${times(c.maxRatio)} the window's maximum)` +
        (extreme > 0 ? `; ${extreme === 1 ? 'one point is' : `${extreme} points are`} ≥ ${times(c.extremeRatio)} the run median.` : '.'),
      evidence: {
        spikes: count,
        worstRatio: round(ratio),
        worstStep: steps[worstIdx],
        worstToRunMedian: round(runRatio),
        extremeSpikes: extreme,
        window: c.window,
        medianRatio: c.medianRatio,
        maxRatio: c.maxRatio,
        extremeRatio: c.extremeRatio,
      },
      advice:
        extreme > 0
          ? 'A value this far from the rest is beyond diffusion-loss noise: check the batch at that step (corrupt image, wrong caption/mask) and consider gradient clipping (--max_grad_norm 1.0).'
          : 'Usually harmless on its own; if spikes recur, check the images of those steps and consider gradient clipping.',
      confidence: extreme > 0 ? 'medium' : 'low',
    },
  ];
}

function insertSorted(arr: Float64Array, len: number, x: number): void {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  arr.copyWithin(lo + 1, lo, len);
  arr[lo] = x;
}

function removeSorted(arr: Float64Array, len: number, x: number): void {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  arr.copyWithin(lo, lo + 1, len);
}
