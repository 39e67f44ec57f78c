import type { LossFlavor } from '../runs/kohya-tags.js';
import { judgedLoss } from '../runs/profiles/role-tags.js';
import type { Series } from '../runs/series.js';
import type { Run } from '../runs/types.js';

/**
 * The judged loss of a run, prepared once and shared by the loss detectors: the finite positive
 * points compressed into columns (their steps, ln values and original indices) plus counts of
 * what was left out. Ratio rules work on ln(loss), so a run at 0.1 and one at 3.0 are judged
 * alike; values ≤ 0 cannot enter a ratio and are counted instead.
 */
export interface LossView {
  tag: string;
  flavor: LossFlavor;
  series: Series;
  /** Points with a finite value > 0. */
  n: number;
  steps: Float64Array;
  logs: Float64Array;
  /** Index of each kept point in `series`. */
  index: Int32Array;
  nan: number;
  posInf: number;
  negInf: number;
  /** Finite values ≤ 0 (skipped by ratio rules). */
  nonPositive: number;
}

const cache = new WeakMap<Series, LossView>();

/** The loss view of a run, or null when it logged no training loss the detectors recognise (`configuredTag`: the config's `lossTag`). */
export function lossView(run: Run, configuredTag?: string): LossView | null {
  const choice = judgedLoss(run, configuredTag);
  if (!choice) return null;
  const series = run.scalars.get(choice.tag);
  if (!series || series.length === 0) return null;
  const hit = cache.get(series);
  if (hit) return hit;
  const view = buildView(choice.tag, choice.flavor, series);
  cache.set(series, view);
  return view;
}

function buildView(tag: string, flavor: LossFlavor, series: Series): LossView {
  const len = series.length;
  const v = series.values;
  let n = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let nonPositive = 0;
  for (let i = 0; i < len; i++) {
    const x = v[i];
    if (x > 0 && x < Infinity) n++;
    else if (Number.isNaN(x)) nan++;
    else if (x === Infinity) posInf++;
    else if (x === -Infinity) negInf++;
    else nonPositive++;
  }
  const steps = new Float64Array(n);
  const logs = new Float64Array(n);
  const index = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < len; i++) {
    const x = v[i];
    if (x > 0 && x < Infinity) {
      steps[k] = series.steps[i];
      logs[k] = Math.log(x);
      index[k] = i;
      k++;
    }
  }
  return { tag, flavor, series, n, steps, logs, index, nan, posInf, negInf, nonPositive };
}
