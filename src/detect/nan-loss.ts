import { averageLossTag, epochLossTag } from '../runs/kohya-tags.js';
import type { Series } from '../runs/series.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { detectTrainer } from '../runs/profiles/detect-trainer.js';
import { crashRise } from './crash-rise.js';
import { detectExplosion } from './explosion.js';
import { lossView } from './loss-view.js';
import { lrView, valueAt } from './lr-view.js';
import { fmt, median, pct, round, times } from './numbers.js';

interface NonFinite {
  nan: number;
  posInf: number;
  negInf: number;
  firstIdx: number;
  lastIdx: number;
  /** Finite points after the first non-finite one. */
  finiteAfter: number;
  /** First finite point after the first non-finite one, or -1. */
  resumeIdx: number;
  /** Consecutive non-finite points at the very end of the series (0 when the last point is finite). */
  tailRun: number;
}

function scanNonFinite(s: Series): NonFinite {
  const r: NonFinite = { nan: 0, posInf: 0, negInf: 0, firstIdx: -1, lastIdx: -1, finiteAfter: 0, resumeIdx: -1, tailRun: 0 };
  for (let i = 0; i < s.length; i++) {
    const x = s.values[i];
    if (Number.isFinite(x)) {
      r.tailRun = 0;
      if (r.firstIdx >= 0) {
        r.finiteAfter++;
        if (r.resumeIdx < 0) r.resumeIdx = i;
      }
      continue;
    }
    if (Number.isNaN(x)) r.nan++;
    else if (x > 0) r.posInf++;
    else r.negInf++;
    if (r.firstIdx < 0) r.firstIdx = i;
    r.lastIdx = i;
    r.tailRun++;
  }
  return r;
}

/**
 * Non-finite training loss. Onset and persistence are judged on the per-step loss: kohya's
 * `loss/average` keeps a running total, so one NaN makes it NaN forever even when the per-step loss
 * recovers (fp16 loss-scaler skips). Persistent NaN (or mostly NaN at the end) is an error: under
 * bf16/fp32 the weights are poisoned. Finite values coming back is a warning.
 *
 * "Stayed non-finite" needs evidence that it stayed (`persistence`): at least `nan.minConsecutive`
 * non-finite points in a row at the end, or most of the tail non-finite, or the log ends at its
 * non-finite points with no finite value anywhere after the first one (the run died there). One
 * NaN as the last point of an fp16 run that already skipped steps and recovered is just another
 * skipped step: a warning. Only the first two kinds of evidence hold on a live prefix (a poll may
 * end right after any NaN), so only they may alert while a run is live (live/alerts.ts).
 */
export function detectNanLoss(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view) return [];
  const s = view.series;
  const nf = scanNonFinite(s);
  if (nf.firstIdx < 0) return diedAtFirstNaN(input, config);
  const n = s.length;
  const count = nf.nan + nf.posInf + nf.negInf;
  const onsetStep = s.steps[nf.firstIdx];
  const lastStep = s.steps[nf.lastIdx];
  const endsNonFinite = nf.lastIdx === n - 1;
  const tailFrom = Math.max(0, n - Math.max(1, Math.ceil(n * config.nan.tailFraction)));
  let tailBad = 0;
  for (let i = tailFrom; i < n; i++) if (!Number.isFinite(s.values[i])) tailBad++;
  const tailShare = tailBad / (n - tailFrom);
  // A share of a tiny tail (the first points of a live run) is not evidence: it needs minConsecutive points too.
  const persistence: NanPersistence | null =
    nf.tailRun >= config.nan.minConsecutive
      ? 'consecutive'
      : tailShare > config.nan.tailErrorShare && tailBad >= config.nan.minConsecutive
        ? 'tail-share'
        : endsNonFinite && nf.finiteAfter === 0
          ? 'ended'
          : null;
  const error = persistence !== null;
  const neverFinite = count === n;

  const lastFiniteBefore = lastFiniteBeforeIdx(s, nf.firstIdx);
  const rise = riseBefore(s, nf.firstIdx);
  const lr = lrView(input.run);
  const lrAtOnset = lr.dominant ? valueAt(lr.dominant.series, onsetStep) : NaN;
  const lrBefore = lr.dominant && nf.firstIdx > 0 ? medianLrBefore(lr.dominant.series, onsetStep) : NaN;
  const lrJump = Number.isFinite(lrAtOnset) && lrBefore > 0 ? lrAtOnset / lrBefore : NaN;

  const avgTag = averageLossTag(input.run.scalars.keys());
  const avg = avgTag ? input.run.scalars.get(avgTag) : undefined;
  const avgNf = avg ? scanNonFinite(avg) : null;
  const epochTag = epochLossTag(input.run.scalars.keys());
  const epoch = epochTag ? input.run.scalars.get(epochTag) : undefined;
  const epochNf = epoch ? scanNonFinite(epoch) : null;

  const kinds = [nf.nan ? `${nf.nan} NaN` : '', nf.posInf ? `${nf.posInf} +Inf` : '', nf.negInf ? `${nf.negInf} −Inf` : ''].filter(Boolean).join(', ');
  let message: string;
  if (neverFinite) message = `${view.tag} was never finite: all ${n} points are non-finite (${kinds}) from step ${onsetStep}.`;
  else if (error)
    message =
      `${view.tag} became non-finite at step ${onsetStep} and ` +
      (persistence === 'consecutive'
        ? `stayed so to the end (step ${lastStep}, the last ${nf.tailRun} points)`
        : persistence === 'ended'
          ? `the log ends there (step ${lastStep}) with no finite value after it: the run died at the NaN`
          : `was non-finite for ${pct(tailShare)} of the last ${pct(config.nan.tailFraction)} of the run (limit ${pct(config.nan.tailErrorShare)})`) +
      `: ${kinds} of ${n} points (${pct(count / n)}).`;
  else
    message =
      `${view.tag} had ${kinds} between steps ${onsetStep} and ${lastStep} (${pct(count / n)} of ${n} points); ` +
      `finite values resumed after ${s.steps[nf.resumeIdx] - onsetStep} steps` +
      (endsNonFinite
        ? ` (the last ${nf.tailRun === 1 ? 'point is' : `${nf.tailRun} points are`} non-finite again, fewer than the ${config.nan.minConsecutive} in a row that would show it stayed so)`
        : '') +
      `, consistent with fp16 loss-scaler skipped steps.`;
  const extras: string[] = [];
  if (Number.isFinite(rise) && rise >= 2) extras.push(`the loss had risen ${times(round(rise, 3))} in the points before the first NaN`);
  if (Number.isFinite(lrJump) && lrJump >= 2) extras.push(`the learning rate jumped ${times(round(lrJump, 3))} to ${fmt(lrAtOnset)} just before`);
  if (avgNf && avgNf.firstIdx >= 0)
    extras.push(
      `${avgTag} turned NaN at step ${avg!.steps[avgNf.firstIdx]}${avgNf.lastIdx === avg!.length - 1 ? ' and, being a running total, stays NaN' : ''}`,
    );

  const precision = input.identity.mixedPrecision;
  // The explosion rule decides whether a rise led to the NaN (one computation, not two).
  const explosion = detectExplosion(input, config).find((f) => f.evidence.endsInNanStep === onsetStep);
  if (explosion) extras.unshift(`the loss had diverged from step ${explosion.step} before (reported as explosion)`);
  if (extras.length > 0) message = `${message.slice(0, -1)}; ${extras.join('; ')}.`;
  const advice =
    (explosion ? 'The loss rose before it went NaN: the learning rate is too high — lower it (or lengthen the warmup) first. ' : '') +
    (precision === 'fp16' ? 'Train in bf16 (or fp32) instead of fp16; ' : 'Use bf16 or fp32 rather than fp16 (and --no_half_vae for SDXL); ') +
    'lower the learning rate' +
    (Number.isFinite(lrJump) && lrJump >= 2 ? ' (it jumped right before the NaN)' : '') +
    ', enable gradient clipping (--max_grad_norm 1.0), and check the training images for corrupt files (NaN latents).' +
    (error ? ' Do not use checkpoints saved after the onset: they likely hold NaN weights.' : '');
  return [
    {
      kind: 'nan_loss',
      severity: error ? 'error' : 'warning',
      run: input.run.name,
      tag: view.tag,
      step: onsetStep,
      endStep: lastStep,
      message,
      evidence: {
        nan: nf.nan,
        posInf: nf.posInf,
        negInf: nf.negInf,
        points: n,
        nonFiniteShare: round(count / n),
        firstNonFiniteStep: onsetStep,
        lastNonFiniteStep: lastStep,
        endsNonFinite,
        trailingNonFinite: nf.tailRun,
        minConsecutive: config.nan.minConsecutive,
        persistence,
        finiteAfterOnset: nf.finiteAfter,
        resumedAtStep: nf.resumeIdx >= 0 ? s.steps[nf.resumeIdx] : null,
        tailShareNonFinite: round(tailShare),
        tailFraction: config.nan.tailFraction,
        tailErrorShare: config.nan.tailErrorShare,
        lastFiniteValue: lastFiniteBefore >= 0 ? s.values[lastFiniteBefore] : null,
        riseBeforeOnset: Number.isFinite(rise) ? round(rise) : null,
        lrAtOnset: Number.isFinite(lrAtOnset) ? lrAtOnset : null,
        lrJumpBeforeOnset: Number.isFinite(lrJump) ? round(lrJump) : null,
        averageTag: avgTag,
        averageFirstNaNStep: avgNf && avgNf.firstIdx >= 0 ? avg!.steps[avgNf.firstIdx] : null,
        epochTag,
        epochNonFinite: epochNf ? epochNf.nan + epochNf.posInf + epochNf.negInf : null,
        mixedPrecision: precision ?? null,
        riseOnsetStep: explosion ? explosion.step : null,
      },
      advice,
      confidence: 'high',
    },
  ];
}

/** What shows a non-finite loss stayed so: a run of points at the end, most of the tail, or the log ending there. */
export type NanPersistence = 'consecutive' | 'tail-share' | 'ended';

/**
 * A writer that raises on a NaN loss (OneTrainer) never logs it: its log ends at the step before.
 * The crash itself is then the evidence — the loss shot up in its last points and nothing came
 * after. Only for profiles that say so (`stopsAtFirstNaN`): elsewhere a NaN would have been logged.
 * A warning, not an error: the NaN is inferred, and a run stopped by hand during a spike looks alike.
 * Never a live alert (its persistence is 'crash-rise'): a live log always "ends".
 */
function diedAtFirstNaN(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const { profile } = detectTrainer(input.run);
  if (!profile.stopsAtFirstNaN) return [];
  const view = lossView(input.run, config.lossTag);
  if (!view || view.n === 0) return [];
  const rise = crashRise(view, Math.log(config.explosion.ratioError));
  if (!rise) return [];
  const last = view.steps[view.n - 1];
  const spacing = view.n > 1 ? (last - view.steps[0]) / (view.n - 1) : 1;
  const inferred = last + Math.max(1, Math.round(spacing));
  return [
    {
      kind: 'nan_loss',
      severity: 'warning',
      run: input.run.name,
      tag: view.tag,
      step: inferred,
      endStep: null,
      message:
        `${view.tag} rose ${times(round(rise.ratio, 3))} above its level in its last ${rise.k} points (from step ${rise.fromStep}, above every ${rise.k}-point stretch of the ${rise.windowPoints} before) and the log ends at step ${last}: ` +
        `${profile.name} raises on a NaN loss and writes nothing of that step, so the run most likely died at its first NaN (step ${inferred}).`,
      evidence: {
        persistence: 'crash-rise',
        inferred: true,
        lastStep: last,
        riseFromStep: rise.fromStep,
        risePoints: rise.k,
        riseRatio: round(rise.ratio),
        riseAboveWindowMax: round(rise.aboveMax),
        windowPoints: rise.windowPoints,
        ratioError: config.explosion.ratioError,
        trainer: profile.id,
      },
      advice:
        "Check the end of the trainer's console output for the NaN error. The loss diverged before it went NaN, so lower the learning rate (or lengthen the warmup), prefer bf16 over fp16, and enable gradient clipping; do not resume from a backup saved during the rise.",
      confidence: 'medium',
    },
  ];
}

function lastFiniteBeforeIdx(s: Series, idx: number): number {
  for (let i = idx - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return i;
  return -1;
}

/** Median of the last ≤ 10 finite points before the onset over the median of the finite points before those. */
function riseBefore(s: Series, idx: number): number {
  const recent: number[] = [];
  let i = idx - 1;
  for (; i >= 0 && recent.length < 10; i--) if (s.values[i] > 0 && Number.isFinite(s.values[i])) recent.push(s.values[i]);
  if (recent.length < 3 || i < 20) return NaN;
  const before = new Float64Array(i + 1);
  let m = 0;
  for (let j = 0; j <= i; j++) if (s.values[j] > 0 && Number.isFinite(s.values[j])) before[m++] = s.values[j];
  if (m < 20) return NaN;
  return median(Float64Array.from(recent)) / median(before, 0, m);
}

/** Median lr over the 50 points before `step` (excluding the last 10): the level before a late jump. */
function medianLrBefore(lr: Series, step: number): number {
  let end = 0;
  while (end < lr.length && lr.steps[end] < step) end++;
  end = Math.max(0, end - 10);
  const from = Math.max(0, end - 50);
  return end > from ? median(lr.values, from, end) : NaN;
}
