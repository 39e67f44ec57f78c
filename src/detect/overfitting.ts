import { epochLossTag, validationLossTag } from '../runs/kohya-tags.js';
import type { Series } from '../runs/series.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';
import { fmt, median, pct, round } from './numbers.js';

function finitePoints(s: Series): { steps: Float64Array; values: Float64Array } {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (Number.isFinite(s.values[i])) n++;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0, k = 0; i < s.length; i++) {
    if (!Number.isFinite(s.values[i])) continue;
    steps[k] = s.steps[i];
    values[k++] = s.values[i];
  }
  return { steps, values };
}

/** δ = max(minDelta, madFactor · MAD(successive differences) / median): the series' own step-to-step noise. */
function margin(values: Float64Array, c: DetectConfig['overfitting']): number {
  if (values.length < 3) return c.minDelta;
  const diffs = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) diffs[i - 1] = values[i] - values[i - 1];
  const medDiff = median(diffs);
  const mad = median(diffs.map((d) => Math.abs(d - medDiff)));
  const med = median(values);
  return med > 0 ? Math.max(c.minDelta, (c.madFactor * mad) / med) : c.minDelta;
}

/** Mean of the training loss over [from, to] on its own axis (NaN when no points). */
function meanBetween(s: Series, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.steps[i] < from || s.steps[i] > to || !Number.isFinite(s.values[i])) continue;
    sum += s.values[i];
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Validation loss rising after its best point while the training loss did not rise: the run is
 * past its best checkpoint. kohya validates on 4 fixed timesteps with a fixed seed, a low-noise
 * signal, so a relative margin δ = max(minDelta, madFactor·MAD(successive differences)/median) is
 * enough; the last `patience` validations must all exceed best·(1+δ) (Lightning-style wait ≥ patience).
 * Without validation tags nothing is reported (the check is listed as skipped).
 */
export function detectOverfitting(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const c = config.overfitting;
  const tags = [...input.run.scalars.keys()];
  const val = validationLossTag(tags);
  if (!val) return [];
  const series = input.run.scalars.get(val.tag)!;
  const { steps, values } = finitePoints(series);
  const n = values.length;
  if (n < c.minValidations || n < c.patience + 1) return [];
  let best = 0;
  for (let i = 1; i < n; i++) if (values[i] < values[best]) best = i;
  if (best >= n - c.patience) return [];
  if (!(median(values) > 0) || !(values[best] > 0)) return [];
  const delta = margin(values, c);
  const limit = values[best] * (1 + delta);
  for (let i = n - c.patience; i < n; i++) if (values[i] < limit) return [];

  // The training loss over the same span must not have risen: otherwise this is divergence, not overfitting.
  const trainTag = val.axis === 'epoch' ? epochLossTag(tags) : (lossView(input.run, config.lossTag)?.tag ?? null);
  const train = trainTag ? input.run.scalars.get(trainTag) : undefined;
  let trainChange = NaN;
  let trainDelta = NaN;
  if (train) {
    const before = meanBetween(train, steps[Math.max(0, best - 1)], steps[best]);
    const after = meanBetween(train, steps[n - c.patience], steps[n - 1]);
    trainChange = after / before;
    // Judged against the training curve's own epoch-to-epoch noise (diffusion epoch losses wander ±15–25 %).
    trainDelta = margin(finitePoints(train).values, c);
    if (trainChange > 1 + trainDelta) return [];
  }
  const last = values[n - 1];
  const axis = val.axis === 'epoch' ? 'epoch' : 'step';
  return [
    {
      kind: 'overfitting',
      severity: 'warning',
      run: input.run.name,
      tag: val.tag,
      step: steps[best],
      endStep: steps[n - 1],
      message:
        `${val.tag} was lowest at ${axis} ${steps[best]} (${fmt(values[best])}) and the last ${c.patience} validations are above it by more than ${pct(delta)} ` +
        `(last ${fmt(last)}, +${pct(last / values[best] - 1)})` +
        (Number.isFinite(trainChange) ? `, while ${trainTag} did not rise (×${fmt(trainChange)}).` : '.'),
      evidence: {
        axis,
        bestAt: steps[best],
        best: values[best],
        last,
        lastAt: steps[n - 1],
        delta: round(delta),
        minDelta: c.minDelta,
        patience: c.patience,
        validations: n,
        trainTag,
        trainChange: Number.isFinite(trainChange) ? round(trainChange) : null,
        trainDelta: Number.isFinite(trainDelta) ? round(trainDelta) : null,
      },
      advice: `Use the checkpoint from ${axis} ${steps[best]} (save every ${axis} to have it), or train fewer ${axis}s / with a lower learning rate or more regularisation (more images, lower dim).`,
      confidence: n >= 5 ? 'medium' : 'low',
    },
  ];
}
