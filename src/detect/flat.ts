import { basename } from 'node:path';
import type { RunIdentity } from '../identity/identity.js';
import { keyNormTag, keysScaledTag } from '../runs/kohya-tags.js';
import type { Series } from '../runs/series.js';
import type { WeightsSummary } from '../weights/summary.js';
import type { DetectConfig } from './config.js';
import type { Finding, Severity } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView, type LossView } from './loss-view.js';
import { adaptiveD, lrView, type LrGroup, type LrView } from './lr-view.js';
import { fmt, meanVar, pct, round } from './numbers.js';
import { optimizerFacts, type OptimizerFacts } from './optimizer-family.js';

/** E1: did the loss measurably decrease? ρ = mean(late)/mean(early) with a delta-method CI. */
export interface LossChange {
  rho: number;
  ciLow: number;
  ciHigh: number;
  /** Smallest change detectable at 80 % power: 1 − e^(−2.8·SE). */
  mdc: number;
  earlyFrom: number;
  earlyTo: number;
  lateFrom: number;
  lateTo: number;
  /** Step where the baseline starts (after warmup). */
  baselineStep: number;
  points: number;
}

/** Index (into the loss view) where warmup is over: lr first ≥ share·peak, capped at `cap` of the run. */
export function baselineStart(view: LossView, lr: LrView, config: DetectConfig['flat']): number {
  const cap = Math.floor(view.n * config.warmupCap);
  const sched = lr.scheduled.length > 0 ? pickMain(lr.scheduled) : lr.dominant;
  if (!sched || !(sched.peak > 0)) return 0;
  const s = sched.series;
  let warmStep = NaN;
  for (let i = 0; i < s.length; i++) {
    if (s.values[i] >= config.warmupLrShare * sched.peak) {
      warmStep = s.steps[i];
      break;
    }
  }
  if (!Number.isFinite(warmStep)) return 0;
  let idx = 0;
  while (idx < view.n && view.steps[idx] < warmStep) idx++;
  return Math.min(idx, cap);
}

function pickMain(groups: LrGroup[]): LrGroup {
  return groups.find((g) => g.group === 'unet') ?? groups.reduce((a, b) => (b.sum > a.sum ? b : a));
}

/** `minWindow`: points each of E and L needs (a sparse log's corroborated verdict accepts a wide CI over 3). */
export function lossChange(view: LossView, from: number, config: DetectConfig['flat'], minWindow = 10): LossChange | null {
  const n = view.n - from;
  const nE = Math.floor(n * config.earlyShare);
  const nL = Math.floor(n * config.lateShare);
  if (nE < minWindow || nL < minWindow) return null;
  // Means of the raw loss (not ln): E1 compares levels the way a user reads the curve.
  const e = new Float64Array(nE);
  const l = new Float64Array(nL);
  for (let i = 0; i < nE; i++) e[i] = Math.exp(view.logs[from + i]);
  for (let i = 0; i < nL; i++) l[i] = Math.exp(view.logs[view.n - nL + i]);
  const E = meanVar(e);
  const L = meanVar(l);
  const rho = L.mean / E.mean;
  const se = Math.sqrt(E.variance / (nE * E.mean * E.mean) + L.variance / (nL * L.mean * L.mean));
  return {
    rho,
    ciLow: rho * Math.exp(-config.z * se),
    ciHigh: rho * Math.exp(config.z * se),
    mdc: 1 - Math.exp(-2.8 * se),
    earlyFrom: view.steps[from],
    earlyTo: view.steps[from + nE - 1],
    lateFrom: view.steps[view.n - nL],
    lateTo: view.steps[view.n - 1],
    baselineStep: view.steps[from],
    points: n,
  };
}

const FAMILY_NAME: Record<OptimizerFacts['family'], string> = {
  adam: 'the Adam family',
  lion: 'Lion',
  sgd: 'SGD',
  adafactor: 'Adafactor with a fixed lr',
  dadapt: 'DAdapt',
  prodigy: 'Prodigy',
  schedulefree: 'schedule-free optimizers',
  unknown: 'an unknown optimizer (no metadata)',
};

interface Corroboration {
  id: string;
  strong: boolean;
  text: string;
}

/** The weights file that describes the end of training: most steps, else the last given. */
export function finalWeights(weights: WeightsSummary[]): WeightsSummary | null {
  let best: WeightsSummary | null = null;
  for (const w of weights) if (!best || (w.steps ?? -1) >= (best.steps ?? -1)) best = w;
  return best;
}

function floorFor(facts: OptimizerFacts, config: DetectConfig['flat'], lr: LrView): number | null {
  // With d·lr logged, the effective step size of DAdapt/Prodigy is known and has a floor like any lr.
  if ((facts.family === 'prodigy' || facts.family === 'dadapt') && lr.dlr.length > 0) return config.lrFloor.adaptive;
  switch (facts.family) {
    case 'adam':
      return config.lrFloor.adam;
    case 'lion':
      return config.lrFloor.lion;
    case 'sgd':
      return config.lrFloor.sgd;
    case 'unknown':
      return config.lrFloor.other;
    default:
      // Adafactor's relative step, schedule-free and DAdapt/Prodigy lr are not step sizes to floor.
      return facts.relativeStep || facts.family !== 'adafactor' ? null : config.lrFloor.adam;
  }
}

function corroborations(
  input: DiagnosisInput,
  lr: LrView,
  facts: OptimizerFacts,
  lastStep: number,
  config: DetectConfig['flat'],
): { items: Corroboration[]; evidence: Finding['evidence'] } {
  const items: Corroboration[] = [];
  const ev: Finding['evidence'] = {};
  // Writers that log no lr scalar (diffusers' train_text_to_image_lora.py) still record the configured
  // one (hparams / config file): a constant-or-warmup peak is what they configured, so it stands in.
  const configured = input.identity.learningRate;
  const fromConfig = !Number.isFinite(lr.peak) && typeof configured === 'number' && configured > 0;
  const peak = fromConfig ? configured : lr.peak;
  ev.lrSource = fromConfig ? 'config' : Number.isFinite(lr.peak) ? 'scalars' : null;
  ev.optimizer = facts.name;
  ev.optimizerFamily = facts.family;
  ev.lrPeak = Number.isFinite(peak) ? peak : null;
  ev.lrTag = lr.dominant?.tag ?? null;

  // E2: effective learning rate.
  if (lr.effective.length > 0 && lr.effective.every((g) => g.zeros === g.series.length)) {
    items.push({ id: 'lr_zero', strong: true, text: 'the effective learning rate is 0 at every step' });
  } else {
    const floor = floorFor(facts, config, lr);
    ev.lrFloor = floor;
    if (floor !== null && peak > 0 && peak < floor) {
      const what =
        lr.dlr.length > 0
          ? `the effective learning rate d·lr (${lr.dominant?.tag ?? 'lr/d*lr'})`
          : fromConfig
            ? 'the configured learning rate (no lr logged)'
            : 'the learning rate';
      items.push({
        id: 'lr_floor',
        strong: peak <= floor / 10,
        text: `${what} ${fromConfig ? 'is' : 'peaked at'} ${fmt(peak)}, below the ${fmt(floor)} floor for ${FAMILY_NAME[facts.family]}`,
      });
    }
  }
  const d = adaptiveD(lr);
  if (d) {
    const d0 = facts.d0 ?? d.dFirst;
    ev.dFirst = round(d.dFirst);
    ev.dMax = round(d.dMax);
    ev.d0 = d0;
    ev.dStuckFactor = config.dStuckFactor;
    if (d.dMax <= config.dStuckFactor * Math.max(d0, d.dFirst)) {
      items.push({ id: 'd_stuck', strong: true, text: `the adaptive step d never rose above ${fmt(d.dMax)} (d0 = ${fmt(d0)}), so d·lr stayed near zero` });
    }
  }

  // E3: weight-decay budget.
  if (facts.weightDecay !== null && facts.decoupled && lr.dominant) {
    const budget = facts.weightDecay * lr.dominant.sum;
    ev.weightDecay = facts.weightDecay;
    ev.weightDecaySource = facts.weightDecaySource;
    ev.decayBudget = round(budget);
    ev.decayBudgetThreshold = config.decayBudget;
    ev.decayBudgetStrong = config.decayBudgetStrong;
    if (Number.isFinite(peak) && peak > 0 && facts.weightDecay > 0) ev.equilibriumRms = round(Math.sqrt(peak / (2 * facts.weightDecay)));
    if (budget >= config.decayBudget) {
      items.push({
        id: 'weight_decay',
        strong: budget >= config.decayBudgetStrong,
        text: `weight decay ${fmt(facts.weightDecay)} over Σlr = ${fmt(lr.dominant.sum)} gives a decay budget D = ${fmt(budget)} (≥ ${config.decayBudget}): early updates shrank by e^−D ≈ ${fmt(Math.exp(-budget))}`,
      });
    }
  }

  // E4: weights.
  const w = finalWeights(input.weights);
  if (w) {
    // The file name, not its path: evidence must read the same on every machine (the path is in the report's weights).
    ev.weightsFile = basename(w.path);
    ev.upTensors = w.upTensors;
    ev.zeroUpTensors = w.zeroUpTensors;
    ev.upRms = Number.isFinite(w.upRms) ? round(w.upRms) : null;
    if (w.upTensors > 0 && w.zeroUpTensors === w.upTensors) {
      items.push({
        id: 'weights_zero',
        strong: true,
        text: `every one of the ${w.upTensors} lora_up tensors is exactly zero (never moved from its initialisation)`,
      });
    } else if (w.upTensors > 0 && w.zeroUpTensors / w.upTensors >= config.zeroUpShare) {
      items.push({
        id: 'weights_zero_share',
        strong: false,
        text: `${w.zeroUpTensors} of ${w.upTensors} lora_up tensors are exactly zero (≥ ${pct(config.zeroUpShare)})`,
      });
    }
    const steps = w.steps ?? input.identity.steps ?? lastStep;
    if (facts.stepIsLr && peak > 0 && steps > 0 && Number.isFinite(w.upRms) && w.upRms > 0) {
      const moved = w.upRms / (peak * Math.sqrt(steps));
      ev.weightMoveRatio = round(moved);
      ev.weightMoveThreshold = config.weightMoveRatio;
      if (moved < config.weightMoveRatio) {
        items.push({
          id: 'weights_small',
          strong: false,
          text: `RMS(lora_up) = ${fmt(w.upRms)} is only ${fmt(moved)}× lr_peak·√steps (< ${config.weightMoveRatio})`,
        });
      }
    }
  }
  return { items, evidence: ev };
}

/** Mean and count of a series' finite values at steps from…to (inclusive). */
function windowMean(s: Series, from: number, to: number): { mean: number; n: number; max: number } {
  let sum = 0;
  let n = 0;
  let max = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const x = s.values[i];
    if (s.steps[i] < from || s.steps[i] > to || !Number.isFinite(x)) continue;
    sum += x;
    n++;
    if (x > max) max = x;
  }
  return { mean: n > 0 ? sum / n : NaN, n, max };
}

/** Points each of the early and late windows of the key norm needs (a log every 10 steps still has them). */
const KEY_NORM_MIN_POINTS = 3;

/**
 * E5: the LoRA's own norm as logged by kohya (`norm/avg_key_norm`, `max_norm/average_key_norm`). `lora_up`
 * starts at zero, so a LoRA that learns grows its key norm over the whole run; one whose norm is the same
 * in the late window as in the early one (G = mean(L)/mean(E) below `keyNormGrowth`) was not moving — steps
 * skipped, a frozen group, weight decay holding it at an equilibrium. Not evidence while `--scale_weight_norms`
 * is shrinking keys in the late window: then the cap, not the training, holds the norm (and the weights push
 * against it). A tiny lr is not seen here (Adam-type steps grow the norm by the same factor at any lr): the
 * lr floor judges that.
 */
function keyNormCorroboration(
  input: DiagnosisInput,
  change: LossChange,
  lrPeak: number | null,
  c: DetectConfig['flat'],
): { item: Corroboration | null; evidence: Finding['evidence'] } {
  const tag = keyNormTag(input.run.scalars.keys());
  const s = tag ? input.run.scalars.get(tag) : undefined;
  if (!tag || !s || !(lrPeak !== null && lrPeak > 0)) return { item: null, evidence: {} };
  const early = windowMean(s, change.earlyFrom, change.earlyTo);
  const late = windowMean(s, change.lateFrom, change.lateTo);
  if (early.n < KEY_NORM_MIN_POINTS || late.n < KEY_NORM_MIN_POINTS || !(early.mean >= 0) || !(late.mean >= 0))
    return { item: null, evidence: { keyNormTag: tag } };
  const growth = early.mean > 0 ? late.mean / early.mean : late.mean > 0 ? Infinity : 1;
  const scaledTag = keysScaledTag(input.run.scalars.keys());
  const scaled = scaledTag ? windowMean(input.run.scalars.get(scaledTag)!, change.lateFrom, change.lateTo) : null;
  const capped = scaled !== null && scaled.max > 0;
  const whole = windowMean(s, change.baselineStep, change.lateTo);
  let lo = Infinity;
  for (let i = 0; i < s.length; i++) if (s.steps[i] >= change.baselineStep && Number.isFinite(s.values[i]) && s.values[i] < lo) lo = s.values[i];
  // Exactly the same value at every logged step: not a small growth but none (no optimizer step changed the LoRA).
  const constant = whole.max === lo;
  const evidence: Finding['evidence'] = {
    keyNormTag: tag,
    keyNormEarly: round(early.mean),
    keyNormLate: round(late.mean),
    keyNormGrowth: Number.isFinite(growth) ? round(growth) : null,
    keyNormGrowthThreshold: c.keyNormGrowth,
    keyNormCapped: capped,
  };
  if (capped || growth >= c.keyNormGrowth) return { item: null, evidence };
  const item: Corroboration = constant
    ? {
        id: 'key_norm_constant',
        strong: true,
        text: `${tag} stayed exactly ${fmt(lo)} from step ${change.baselineStep} to ${change.lateTo} (the LoRA never changed)`,
      }
    : {
        id: 'key_norm_flat',
        strong: false,
        text: `${tag} ${growth < 1 ? 'shrank to' : 'grew only'} ${fmt(growth)}× from the early to the late window (< ${c.keyNormGrowth}; a LoRA that learns grows from its zero init)`,
      };
  return { item, evidence };
}

/**
 * "Training had no measurable effect". The loss alone cannot prove it (diffusion loss is dominated
 * by the random timestep; a true 10 % decrease is usually undetectable at batch 1), so a loss-only
 * verdict is a notice, and severity grows with independent evidence: the learning rate (≈ 0, below
 * the family's floor, Prodigy's d stuck at d0), the weight-decay budget wd·Σlr, and the weights.
 */
/** Below `minPoints` (sparse logs) the loss alone says nothing, but from this many points on, a flat run corroborated by lr/weights is still reported. */
export const FLAT_SPARSE_MIN = 20;

export function detectFlat(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view || view.n < Math.min(config.minPoints, FLAT_SPARSE_MIN)) return [];
  const sparse = view.n < config.minPoints;
  const c = config.flat;
  const lr = lrView(input.run);
  const facts = optimizerFacts(input.identity, lr.dlr.length > 0);
  const from = baselineStart(view, lr, c);
  const change = lossChange(view, from, c, sparse ? 3 : 10);
  if (!change) return [];
  const { items, evidence } = corroborations(input, lr, facts, view.steps[view.n - 1], c);
  const keyNorm = keyNormCorroboration(input, change, typeof evidence.lrPeak === 'number' ? evidence.lrPeak : null, c);
  if (keyNorm.item) items.push(keyNorm.item);
  Object.assign(evidence, keyNorm.evidence);
  const noDecrease = change.ciHigh >= 1;
  // A loss that rose measurably is not flat (explosion/NaN rules judge it).
  if (change.ciLow > 1 && items.length === 0) return [];
  const lossOnly = noDecrease && change.rho >= c.lossOnlyRho;
  const strong = items.filter((i) => i.strong).length;

  let severity: Severity;
  if (sparse && items.length === 0) return [];
  if (items.length === 0) {
    if (!lossOnly) return [];
    severity = 'notice';
  } else if (!noDecrease) {
    // The loss did fall measurably; independent evidence still says the LoRA barely changed.
    severity = 'notice';
  } else {
    severity = items.length >= 2 && strong >= 1 ? 'error' : 'warning';
  }
  const lossText = `${view.tag} late/early ratio ρ = ${fmt(change.rho)} (95 % CI ${fmt(change.ciLow)}–${fmt(change.ciHigh)}; smallest detectable change ${pct(change.mdc)})`;
  let message: string;
  if (items.length === 0) {
    message = `Loss did not decrease measurably: ${lossText}; common for diffusion LoRA, check samples.`;
  } else if (!noDecrease) {
    message = `Training may have had little effect: ${items.map((i) => i.text).join('; ')}, although ${lossText} shows a decrease.`;
  } else {
    message = `Training had no measurable effect: ${lossText} and ${items.map((i) => i.text).join('; ')}.`;
  }
  const advice = adviceFor(items, input.identity);
  return [
    {
      kind: 'flat',
      severity,
      run: input.run.name,
      tag: view.tag,
      step: change.baselineStep,
      endStep: change.lateTo,
      message,
      evidence: {
        rho: round(change.rho),
        ciLow: round(change.ciLow),
        ciHigh: round(change.ciHigh),
        mdc: round(change.mdc),
        earlyStepStart: change.earlyFrom,
        earlyStepEnd: change.earlyTo,
        lateStepStart: change.lateFrom,
        lateStepEnd: change.lateTo,
        baselineStep: change.baselineStep,
        lossOnlyRho: c.lossOnlyRho,
        corroborations: items.map((i) => i.id).join(',') || null,
        strongCorroborations: strong,
        ...evidence,
      },
      advice,
      confidence: items.length === 0 ? 'low' : strong > 0 && noDecrease ? 'high' : 'medium',
    },
  ];
}

function adviceFor(items: Corroboration[], identity: RunIdentity): string {
  const ids = new Set(items.map((i) => i.id));
  const parts: string[] = [];
  if (ids.has('lr_floor') && items.some((i) => i.id === 'lr_floor' && i.text.includes('d·lr')))
    parts.push('the adaptive step never reached a useful size: raise d0 (e.g. 1e-6 → 1e-4) or d_coef (≈ 1), keep lr ≈ 1 with a constant scheduler');
  else if (ids.has('lr_zero') || ids.has('lr_floor'))
    parts.push('raise the learning rate (AdamW-type LoRA training typically uses 1e-4 to 1e-3; Lion 3–10× lower)');
  if (ids.has('d_stuck')) parts.push("Prodigy/DAdapt's d never grew: check d0/d_coef and that lr is ≈ 1 with a constant scheduler");
  if (ids.has('weight_decay')) parts.push('lower weight_decay (AdamW default 0.01)');
  if (ids.has('weights_zero') || ids.has('weights_zero_share'))
    parts.push(
      identity.mixedPrecision === 'fp16'
        ? 'fp16 overflow can skip every optimizer step: try bf16'
        : 'check that the optimizer steps actually run (gradient checkpointing / frozen groups)',
    );
  if (ids.has('key_norm_constant') || ids.has('key_norm_flat'))
    parts.push(
      'the LoRA norm did not grow: check that optimizer steps run (fp16 overflow skips, frozen groups) and that weight decay is not holding the weights down',
    );
  if (ids.has('weights_small')) parts.push('the weights barely moved: train longer or with a higher learning rate');
  if (parts.length === 0)
    return 'Loss alone cannot prove a run flat: compare samples against the base model, or add a validation split (kohya --validation_split) for a low-noise signal.';
  return `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
}
