import { lrView } from '../../detect/lr-view.js';
import { shortExponent } from '../../detect/numbers.js';
import type { RunIdentity } from '../../identity/identity.js';
import type { Series } from '../../runs/series.js';
import { displayLossTag } from '../../runs/profiles/role-tags.js';
import type { Run } from '../../runs/types.js';
import { isEpochIndexed, type RunAxes } from './compare-axes.js';
import { lossStats, type LossStats } from '../chart/loss-stats.js';
import { smoothTensorBoard } from '../chart/smoothing.js';
import type { CompareFinding, SummaryRow } from './compare-model.js';

/** The writer's own smoothed loss when it logs one (steadier to read), else its per-step loss. */
export function summaryLossTag(run: Run): string | null {
  return displayLossTag(run, 'smoothed');
}

/** `1e-4`, `0.0002`: short and exact enough to tell sweep values apart. */
export function formatNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return shortExponent(x);
}

function lrText(identity: RunIdentity | undefined, run: Run): string | null {
  const parts: string[] = [];
  const add = (label: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) parts.push(label ? `${label} ${formatNumber(v)}` : formatNumber(v));
  };
  if (identity) {
    add('', identity.learningRate);
    add('unet', identity.unetLr);
    if (Array.isArray(identity.textEncoderLr)) identity.textEncoderLr.forEach((v, i) => add(`te${i + 1}`, v));
    else add('te', identity.textEncoderLr);
  }
  if (parts.length > 0) return parts.join(' · ');
  // No metadata: the peak of what the scheduler logged, labelled as such.
  let peak = -Infinity;
  let tag = '';
  for (const [t, s] of run.scalars) {
    if (!/^lr\//.test(t) || t.startsWith('lr/d*lr')) continue;
    for (let i = 0; i < s.length; i++)
      if (Number.isFinite(s.values[i]) && s.values[i] > peak) {
        peak = s.values[i];
        tag = t;
      }
  }
  return peak > -Infinity ? `peak ${formatNumber(peak)} (${tag})` : null;
}

function optimizerParts(identity: RunIdentity | undefined): { optimizer: string | null; optimizerArgs: string | null } {
  const opt = identity?.optimizer;
  if (!opt) return { optimizer: null, optimizerArgs: null };
  const open = opt.raw.indexOf('(');
  const close = opt.raw.lastIndexOf(')');
  const args = open >= 0 && close > open ? opt.raw.slice(open + 1, close).replace(/,(?=\S)/g, ', ') : '';
  return { optimizer: opt.name, optimizerArgs: args || null };
}

function lastStep(run: Run): number | null {
  let last: number | null = null;
  for (const [tag, s] of run.scalars) {
    if (s.length === 0 || isEpochIndexed(tag, s)) continue;
    const v = s.steps[s.length - 1];
    if (last === null || v > last) last = v;
  }
  return last;
}

function epochCount(run: Run): number | null {
  let e: number | null = null;
  for (const [tag, s] of run.scalars) if (s.length > 0 && isEpochIndexed(tag, s)) e = Math.max(e ?? 0, s.steps[s.length - 1]);
  return e;
}

function duration(run: Run): number | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of run.scalars.values()) {
    const w = s.wallTimes;
    for (let i = 0; i < s.length; i++) {
      const t = w[i];
      if (!(t > 0) || t === Infinity) continue; // NaN, 0 and negatives are no wall time
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  return hi >= lo ? hi - lo : null;
}

function smoothedLoss(s: Series | undefined, weight: number): LossStats {
  if (!s) return { finalLoss: null, minLoss: null, minLossStep: null };
  return lossStats(s.steps, smoothTensorBoard(s.values, weight), Math.floor(s.length / 10));
}

function effectiveLr(run: Run): Pick<SummaryRow, 'effectiveLr' | 'effectiveLrTag'> {
  const g = lrView(run).dominant;
  return g && Number.isFinite(g.peak) ? { effectiveLr: g.peak, effectiveLrTag: g.tag } : { effectiveLr: null, effectiveLrTag: null };
}

/** One row of the summary table; statistics use every point of the full series. */
export function summaryRow(
  run: Run,
  identity: RunIdentity | undefined,
  axes: RunAxes,
  smoothing: number,
  findings: CompareFinding[] | undefined,
  verdict: string | null,
): SummaryRow {
  const lossTag = summaryLossTag(run);
  let nonFinite = 0;
  for (const s of run.scalars.values()) for (let i = 0; i < s.length; i++) if (!Number.isFinite(s.values[i])) nonFinite++;
  const sorted = findings ?? [];
  return {
    ...optimizerParts(identity),
    lr: lrText(identity, run),
    batch: axes.batch,
    // What the logs reached (a crashed run stops early), metadata when nothing was logged.
    steps: lastStep(run) ?? identity?.steps ?? null,
    epochs: epochCount(run) ?? identity?.epochs ?? null,
    dim: identity?.networkDim ?? null,
    alpha: identity?.networkAlpha ?? null,
    durationSec: duration(run),
    ...effectiveLr(run),
    lossTag,
    ...smoothedLoss(lossTag ? run.scalars.get(lossTag) : undefined, smoothing),
    nonFinite,
    verdict,
    errors: sorted.filter((f) => f.severity === 'error').length,
    warnings: sorted.filter((f) => f.severity === 'warning').length,
    notices: sorted.filter((f) => f.severity === 'notice').length,
  };
}
