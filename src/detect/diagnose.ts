import { runDamage } from '../runs/types.js';
import type { Run } from '../runs/types.js';
import { validationLossTag } from '../runs/kohya-tags.js';
import { DEFAULT_CONFIG, type DetectConfig } from './config.js';
import { detectConcurrentWriters } from './concurrent-writers.js';
import { detectConstantLoss } from './constant-loss.js';
import { detectDamage } from './damage.js';
import { detectEmpty } from './empty.js';
import { detectExplosion } from './explosion.js';
import { compareFindings, type Finding, type FindingKind } from './finding.js';
import { detectFlat } from './flat.js';
import { detectIncomplete } from './incomplete.js';
import type { Detector, DiagnosisInput } from './input.js';
import { detectInsufficientData } from './insufficient-data.js';
import { detectLossOutlier } from './loss-outlier.js';
import { lossView } from './loss-view.js';
import { detectNoLoss } from './no-loss.js';
import { lrView } from './lr-view.js';
import { detectLrSchedule } from './lr-schedule.js';
import { detectNanLoss } from './nan-loss.js';
import { detectOverfitting } from './overfitting.js';
import { detectRestart } from './restart.js';
import { detectStepCollapse } from './step-collapse.js';
import { detectWeights } from './weights.js';

export { DEFAULT_CONFIG, mergeConfig, type DetectConfig } from './config.js';
export type { DiagnosisInput } from './input.js';

/** Every detector with the kinds it can emit (for the checks-passed list). */
export const DETECTORS: { kinds: FindingKind[]; detect: Detector }[] = [
  { kinds: ['truncated', 'crc_error', 'damaged', 'not_event_file'], detect: detectDamage },
  { kinds: ['empty'], detect: detectEmpty },
  { kinds: ['restart'], detect: detectRestart },
  { kinds: ['concurrent_writers'], detect: detectConcurrentWriters },
  { kinds: ['step_collapse'], detect: detectStepCollapse },
  { kinds: ['incomplete'], detect: detectIncomplete },
  { kinds: ['insufficient_data'], detect: detectInsufficientData },
  { kinds: ['no_loss'], detect: detectNoLoss },
  { kinds: ['nan_loss'], detect: detectNanLoss },
  { kinds: ['constant_loss'], detect: detectConstantLoss },
  { kinds: ['explosion'], detect: detectExplosion },
  { kinds: ['loss_outlier'], detect: detectLossOutlier },
  { kinds: ['flat'], detect: detectFlat },
  { kinds: ['lr_schedule'], detect: detectLrSchedule },
  { kinds: ['overfitting'], detect: detectOverfitting },
  { kinds: ['nan_weights', 'inf_weights', 'zero_weights', 'zero_weight_group', 'weights_mismatch'], detect: detectWeights },
];

/** All findings for one run, worst first (the shared `compareFindings` order). */
export function diagnoseRun(input: DiagnosisInput, config: DetectConfig = DEFAULT_CONFIG): Finding[] {
  const findings: Finding[] = [];
  for (const d of DETECTORS) for (const f of d.detect(input, config)) findings.push(f);
  return findings.sort(compareFindings);
}

export interface CheckStatus {
  kind: FindingKind;
  /** Why the check could not run on this run (absent when it ran). */
  skipped?: string;
}

/** Findings plus which checks ran and which could not (so a report's silence is unambiguous). */
export function diagnoseRunDetailed(input: DiagnosisInput, config: DetectConfig = DEFAULT_CONFIG): { findings: Finding[]; checks: CheckStatus[] } {
  const findings = diagnoseRun(input, config);
  const view = lossView(input.run, config.lossTag);
  const lr = lrView(input.run);
  const noLoss = view ? null : 'no training-loss tag (loss/current, loss, train/loss, …)';
  const short = view && view.n < config.minPoints ? `only ${view.n} finite loss points (< ${config.minPoints})` : null;
  const reason: Partial<Record<FindingKind, string | null>> = {
    nan_loss: noLoss,
    incomplete: noLoss,
    constant_loss: noLoss,
    loss_outlier: noLoss,
    explosion: noLoss ?? short,
    flat: noLoss ?? short,
    lr_schedule: lr.scheduled.length + lr.dlr.length === 0 ? 'no learning-rate tag (lr/*)' : null,
    overfitting: validationLossTag(input.run.scalars.keys())
      ? null
      : 'no validation-loss tags (loss/validation/*, val_loss): not assessable from training loss alone',
    nan_weights: input.weights.length === 0 ? 'no linked weights file' : null,
    inf_weights: input.weights.length === 0 ? 'no linked weights file' : null,
    zero_weights: input.weights.length === 0 ? 'no linked weights file' : null,
    zero_weight_group: input.weights.length === 0 ? 'no linked weights file' : null,
    weights_mismatch: input.weights.length === 0 ? 'no linked weights file' : null,
  };
  const checks: CheckStatus[] = [];
  for (const d of DETECTORS) {
    for (const kind of d.kinds) {
      if (kind === 'insufficient_data' || kind === 'no_loss') continue;
      const why = reason[kind];
      checks.push(why ? { kind, skipped: why } : { kind });
    }
  }
  return { findings, checks };
}

/** Per-run numbers for reports: the judged loss, non-finite counts, steps, restarts, damage. */
export interface RunStats {
  lossTag: string | null;
  lossPoints: number;
  lossLast: number | null;
  lossMin: number | null;
  lossMax: number | null;
  lossNaN: number;
  lossInf: number;
  /** Non-finite points over all scalar tags. */
  nonFinitePoints: number;
  firstStep: number | null;
  lastStep: number | null;
  scalarTags: number;
  restarts: number;
  supersededPoints: number;
  damagedRecords: number;
  files: number;
  lrPeak: number | null;
  lrTag: string | null;
}

export function runStats(run: Run): RunStats {
  const view = lossView(run);
  let last: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  if (view) {
    const v = view.series.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) nan++;
      else if (!Number.isFinite(x)) inf++;
      else {
        last = x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
  }
  let nonFinite = 0;
  let firstStep = Infinity;
  let lastStep = -Infinity;
  for (const s of run.scalars.values()) {
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s.values[i])) nonFinite++;
    if (s.length > 0) {
      firstStep = Math.min(firstStep, s.steps[0]);
      lastStep = Math.max(lastStep, s.steps[s.length - 1]);
    }
  }
  if (view && view.series.length > 0) {
    firstStep = view.series.steps[0];
    lastStep = view.series.steps[view.series.length - 1];
  }
  const lr = lrView(run);
  return {
    lossTag: view?.tag ?? null,
    lossPoints: view?.series.length ?? 0,
    lossLast: last,
    lossMin: Number.isFinite(min) ? min : null,
    lossMax: Number.isFinite(max) ? max : null,
    lossNaN: nan,
    lossInf: inf,
    nonFinitePoints: nonFinite,
    firstStep: Number.isFinite(firstStep) ? firstStep : null,
    lastStep: Number.isFinite(lastStep) ? lastStep : null,
    scalarTags: run.scalars.size,
    restarts: run.restarts.length,
    supersededPoints: run.superseded,
    damagedRecords: runDamage(run).length,
    files: run.files.length,
    lrPeak: Number.isFinite(lr.peak) ? lr.peak : null,
    lrTag: lr.dominant?.tag ?? null,
  };
}
