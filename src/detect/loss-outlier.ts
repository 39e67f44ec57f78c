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
  const view = lossView(input.run, config.lossTag);
  const c = config.outlier;
  if (!view || view.n <= c.minHistory) return [];
  const { logs, steps, n } = view;
  const lnMedianRatio = Math.log(c.medianRatio);
  const lnMaxRatio = Math.log(c.maxRatio);
  const lnExtreme = Math.log(c.extremeRatio);
  // The window's maximum comes from a monotonic deque (O(1) amortised per point); its median is
  // needed only where the point also clears `maxRatio` × that maximum, which in a healthy run is
  // almost never, so it is selected then from the window itself (O(window)). The sorted window this
  // replaces cost 2 × O(window) memmoves per point (~35 ms on 250 k points). Candidates are rare
  // even in the worst case: inside one window they rise by ≥ ln(maxRatio) each, and a double spans
  // only ~1454 in ln, so the rule stays linear in n.
  const w = c.window;
  const deque = new Int32Array(w + 1);
  let head = 0;
  let size = 0;
  const spikes: number[] = [];
  let worst = -Infinity;
  let worstIdx = -1;
  let firstIdx = -1;
  let lastIdx = -1;
  for (let i = 0; i < n; i++) {
    const x = logs[i];
    const len = i < w ? i : w;
    if (len >= c.minHistory && x - logs[deque[head]] >= lnMaxRatio) {
      const r = x - median(logs, i - len, i);
      if (r >= lnMedianRatio) {
        spikes.push(x);
        if (firstIdx < 0) firstIdx = i;
        lastIdx = i;
        if (r > worst) {
          worst = r;
          worstIdx = i;
        }
      }
    }
    // Keep indices of decreasing values; drop the front once it leaves the next point's window.
    while (size > 0 && logs[deque[(head + size - 1) % (w + 1)]] <= x) size--;
    deque[(head + size) % (w + 1)] = i;
    size++;
    if (deque[head] <= i - w) {
      head = (head + 1) % (w + 1);
      size--;
    }
  }
  const count = spikes.length;
  if (count === 0) return [];
  const runMedian = median(logs, 0, n);
  let extreme = 0;
  for (const x of spikes) if (x - runMedian >= lnExtreme) extreme++;
  const ratio = Math.exp(worst);
  const runRatio = Math.exp(logs[worstIdx] - runMedian);
  const where =
    count === 1 ? `at step ${steps[worstIdx]}` : `${count} times between steps ${steps[firstIdx]} and ${steps[lastIdx]} (worst at step ${steps[worstIdx]})`;
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
