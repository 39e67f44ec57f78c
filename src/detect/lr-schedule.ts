import type { DetectConfig } from './config.js';
import type { Finding, Severity } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { adaptiveD, lrView, type LrGroup, type LrView } from './lr-view.js';
import { fmt, pct, round, times } from './numbers.js';
import { optimizerFacts } from './optimizer-family.js';

/** Schedulers whose lr changes at (almost) every optimizer step, so a frozen stretch means skipped steps. */
const CONTINUOUS = /^(cosine|cosine_with_restarts|linear|polynomial|cosine_with_min_lr|warmup_stable_decay|rex|inverse_sqrt)$/;

function mainGroup(lr: LrView): LrGroup | null {
  if (lr.scheduled.length === 0) return lr.dominant;
  return lr.scheduled.find((g) => g.group === 'unet') ?? lr.scheduled.reduce((a, b) => (b.sum > a.sum ? b : a));
}

/**
 * Learning-rate anomalies: impossible values (non-finite, negative, all zero) are errors; a warmup
 * that never ends and an lr frozen while steps advance (fp16 loss-scaler skips also skip the
 * scheduler) are warnings; wasted steps at ≈ 0 lr, upward jumps and a Prodigy/DAdapt d stuck at d0
 * are notices. Adafactor's relative step and schedule-free optimizers follow no schedule and are
 * only checked for impossible values.
 */
export function detectLrSchedule(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const lr = lrView(input.run);
  const all = [...lr.scheduled, ...lr.dlr];
  if (all.length === 0) return [];
  const out: Finding[] = [];
  const base = { kind: 'lr_schedule' as const, run: input.run.name };
  const facts = optimizerFacts(input.identity, lr.dlr.length > 0);
  const scheduler = (input.identity.lrScheduler ?? '').trim();

  for (const g of all) {
    if (g.nonFinite > 0 || g.negative > 0) {
      const first = firstIndex(g, (x) => !Number.isFinite(x) || x < 0);
      out.push({
        ...base,
        severity: 'error',
        tag: g.tag,
        step: g.series.steps[first],
        endStep: null,
        message: `${g.tag} holds ${g.nonFinite ? `${g.nonFinite} non-finite` : ''}${g.nonFinite && g.negative ? ' and ' : ''}${g.negative ? `${g.negative} negative` : ''} value(s) of ${g.series.length}, first at step ${g.series.steps[first]}; a learning rate must be finite and ≥ 0.`,
        evidence: { nonFinite: g.nonFinite, negative: g.negative, points: g.series.length, firstStep: g.series.steps[first] },
        advice:
          'Check the scheduler arguments (lr_scheduler_args, warmup/decay steps) and, for DAdapt/Prodigy, the optimizer state: a non-finite lr or d poisons every update.',
        confidence: 'high',
      });
    }
  }
  const effectiveZero = lr.effective.length > 0 && lr.effective.every((g) => g.zeros === g.series.length && g.series.length > 1);
  if (effectiveZero) {
    const g = lr.effective[0];
    out.push({
      ...base,
      severity: 'error',
      tag: g.tag,
      step: g.series.steps[0],
      endStep: g.series.steps[g.series.length - 1],
      message: `The effective learning rate (${lr.effective.map((e) => e.tag).join(', ')}) is exactly 0 at all ${g.series.length} logged steps: the optimizer never changed the weights.`,
      evidence: { points: g.series.length, tags: lr.effective.map((e) => e.tag).join(',') },
      advice: 'Set a learning rate (unet_lr / text_encoder_lr / learning_rate); for Prodigy/DAdapt use lr ≈ 1 and check that d0 is not 0.',
      confidence: 'high',
    });
    return out;
  }

  const main = mainGroup(lr);
  const followsSchedule = !facts.relativeStep && facts.family !== 'schedulefree' && !scheduler.startsWith('adafactor');
  if (main && followsSchedule && main.series.length >= 3) {
    const warm = warmupNeverEnds(main, config, scheduler, input.identity.lrWarmupSteps, input.identity.maxTrainSteps);
    if (warm) out.push({ ...base, ...warm });
    const frozen = frozenStretch(main, config, scheduler);
    if (frozen) out.push({ ...base, ...frozen });
    const jump = /restarts/.test(scheduler) ? null : upwardJump(main, config);
    if (jump) out.push({ ...base, ...jump });
    // After a jump the peak is the jump's level: "steps at ≈ 0 lr" would only restate it.
    const low = jump ? null : lowLr(main, config);
    if (low) out.push({ ...base, ...low });
  }
  if (lr.dlr.length > 0 && facts.d0 !== null) {
    const d = dStuck(lr, facts.d0, config.flat.dStuckFactor);
    if (d) out.push({ ...base, ...d });
  }
  return out;
}

type Part = Omit<Finding, 'kind' | 'run'>;

function firstIndex(g: LrGroup, pred: (x: number) => boolean): number {
  for (let i = 0; i < g.series.length; i++) if (pred(g.series.values[i])) return i;
  return 0;
}

/** lr non-decreasing over the whole run, maximal in its last few percent, having risen ≥ warmupRise×. */
function warmupNeverEnds(g: LrGroup, config: DetectConfig, scheduler: string, warmupSteps: number | undefined, maxSteps: number | undefined): Part | null {
  const c = config.lr;
  const s = g.series;
  const n = s.length;
  if (n < config.minPoints || /^constant$/.test(scheduler)) return null;
  let firstPos = NaN;
  for (let i = 0; i < n; i++) {
    const x = s.values[i];
    if (Number.isNaN(firstPos) && x > 0) firstPos = x;
    if (i > 0 && x < s.values[i - 1] * (1 - 1e-6)) return null;
  }
  const peakIdx = indexOfStep(s.steps, g.peakStep);
  if (peakIdx < n - Math.max(1, Math.ceil(n * c.warmupTail))) return null;
  if (!(firstPos > 0) || !(g.peak / firstPos >= c.warmupRise)) return null;
  const known = scheduler !== '';
  let warmupTotal: number | null = null;
  if (warmupSteps !== undefined && warmupSteps > 0) warmupTotal = warmupSteps < 1 && maxSteps ? warmupSteps * maxSteps : warmupSteps;
  const configured = warmupTotal !== null && maxSteps !== undefined ? ` (configured warmup ${fmt(warmupTotal)} steps of ${maxSteps})` : '';
  const severity: Severity = known ? 'warning' : 'notice';
  return {
    severity,
    tag: g.tag,
    step: s.steps[0],
    endStep: s.steps[n - 1],
    message: `${g.tag} rose for the whole run (${fmt(firstPos)} → ${fmt(g.peak)}, peak at step ${g.peakStep} in the last ${pct(c.warmupTail)}): the warmup never finished${configured}${known ? ` under scheduler ${scheduler}` : '; scheduler unknown (no metadata), so this may be an optimizer-controlled lr'}.`,
    evidence: {
      first: firstPos,
      peak: g.peak,
      peakStep: g.peakStep,
      rise: round(g.peak / firstPos),
      warmupTail: c.warmupTail,
      warmupRise: c.warmupRise,
      scheduler: scheduler || null,
      warmupSteps: warmupTotal,
      maxTrainSteps: maxSteps ?? null,
    },
    advice:
      'Set lr_warmup_steps well below max_train_steps (a float is a ratio of the run, e.g. 0.05); the run trained at a rising, never-reached learning rate.',
    confidence: known ? 'high' : 'low',
  };
}

function indexOfStep(steps: Float64Array, step: number): number {
  for (let i = 0; i < steps.length; i++) if (steps[i] === step) return i;
  return -1;
}

/**
 * Exactly repeated lr values in a schedule that changes at every optimizer step: each repeat is a
 * step the scheduler did not take (fp16 loss-scaler skips skip the scheduler too). Fires on one
 * long stall, or, for a known continuous scheduler, on many scattered repeats.
 */
function frozenStretch(g: LrGroup, config: DetectConfig, scheduler: string): Part | null {
  const c = config.lr;
  const s = g.series;
  const n = s.length;
  if (n < config.minPoints) return null;
  let changes = 0;
  let repeats = 0;
  let bestLen = 1;
  let bestStart = 0;
  let runStart = 0;
  for (let i = 1; i < n; i++) {
    if (s.values[i] !== s.values[i - 1]) {
      changes++;
      runStart = i;
    } else {
      if (s.values[i] !== 0) repeats++;
      if (i - runStart + 1 > bestLen) {
        bestLen = i - runStart + 1;
        bestStart = runStart;
      }
    }
  }
  const minLen = Math.max(c.frozenMinPoints, Math.ceil(c.frozenShare * n));
  const minRepeats = Math.max(c.frozenMinPoints, Math.ceil(c.repeatShare * n));
  const known = scheduler !== '' && CONTINUOUS.test(scheduler);
  const value = s.values[bestStart];
  const stall = bestLen >= minLen && value !== 0;
  let fires: boolean;
  if (known) fires = stall || repeats >= minRepeats;
  else if (scheduler !== '') fires = false;
  else {
    // Without metadata, only a stall in the middle of a moving schedule counts: constant_with_warmup
    // is "moving, then frozen to the end", and a constant lr never moves.
    const outside = n - bestLen;
    const movesBefore = bestStart > 1 && s.values[bestStart - 1] !== s.values[bestStart - 2];
    const movesAfter = bestStart + bestLen < n - 1;
    fires = stall && movesBefore && movesAfter && outside > 0 && changes / outside >= 0.9;
  }
  if (!fires) return null;
  const from = s.steps[bestStart];
  const to = s.steps[bestStart + bestLen - 1];
  const what = stall
    ? `stayed exactly at ${fmt(value)} for ${bestLen} logged steps (${from}–${to}, threshold ${minLen})`
    : `repeated its previous value at ${repeats} of ${n} logged steps (threshold ${minRepeats})`;
  return {
    severity: 'warning',
    tag: g.tag,
    step: stall ? from : s.steps[0],
    endStep: stall ? to : s.steps[n - 1],
    message: `${g.tag} ${what} while ${scheduler ? `the ${scheduler} schedule` : 'the schedule'} changes it at every step: optimizer steps were skipped (the fp16 loss-scaler overflow signature).`,
    evidence: {
      value: stall ? value : null,
      longestStall: bestLen,
      fromStep: from,
      toStep: to,
      repeats,
      points: n,
      threshold: stall ? minLen : minRepeats,
      scheduler: scheduler || null,
      changes,
    },
    advice:
      'fp16 gradients overflowed and the scaler skipped these steps (the scheduler skips with it): train in bf16, lower the learning rate, or enable gradient clipping.',
    confidence: known ? 'high' : 'medium',
  };
}

/** lr below `lowShare` of its peak for more than `lowStepShare` of the logged steps. */
function lowLr(g: LrGroup, config: DetectConfig): Part | null {
  const c = config.lr;
  const s = g.series;
  const n = s.length;
  if (n < config.minPoints || !(g.peak > 0)) return null;
  let low = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (s.values[i] < c.lowShare * g.peak) {
      low++;
      if (first < 0) first = i;
    }
  }
  if (low / n <= c.lowStepShare) return null;
  return {
    severity: 'notice',
    tag: g.tag,
    step: s.steps[first],
    endStep: null,
    message: `${g.tag} was below ${pct(c.lowShare)} of its peak ${fmt(g.peak)} for ${pct(low / n)} of the logged steps (threshold ${pct(c.lowStepShare)}): those steps barely trained.`,
    evidence: { lowPoints: low, points: n, share: round(low / n), peak: g.peak, lowShare: c.lowShare, lowStepShare: c.lowStepShare },
    advice: 'Shorten the run or the decay tail, or use a scheduler with a minimum lr, so steps are not spent at ≈ 0 learning rate.',
    confidence: 'medium',
  };
}

/** An upward jump by more than `jumpFactor` between consecutive points after the warmup. */
function upwardJump(g: LrGroup, config: DetectConfig): Part | null {
  const c = config.lr;
  const s = g.series;
  const n = s.length;
  // Warmup ends where the lr first stops rising; a jump is a rise after that.
  let warmEnd = 0;
  while (warmEnd + 1 < n && s.values[warmEnd + 1] > s.values[warmEnd]) warmEnd++;
  if (warmEnd >= n - 1) return null;
  for (let i = warmEnd + 1; i < n; i++) {
    const prev = s.values[i - 1];
    const x = s.values[i];
    if (prev > 0 && x / prev > c.jumpFactor) {
      return {
        severity: 'notice',
        tag: g.tag,
        step: s.steps[i],
        endStep: null,
        message: `${g.tag} jumped ${times(round(x / prev, 3))} (${fmt(prev)} → ${fmt(x)}) at step ${s.steps[i]}, after the warmup had ended (threshold ${times(c.jumpFactor)}).`,
        evidence: { before: prev, after: x, factor: round(x / prev), jumpFactor: c.jumpFactor, warmupEndStep: s.steps[warmEnd] },
        advice:
          'Check the scheduler (piecewise/step schedules, a resumed run with a reset scheduler): a sudden rise of the lr late in training often precedes divergence or NaN.',
        confidence: 'high',
      };
    }
  }
  return null;
}

function dStuck(lr: LrView, d0: number, factor: number): Part | null {
  const d = adaptiveD(lr);
  if (!d || d.points < 10 || d.dMax > factor * d0) return null;
  const dl = lr.dlr[0];
  return {
    severity: 'warning',
    tag: d.tag,
    step: dl.series.steps[0],
    endStep: dl.series.steps[dl.series.length - 1],
    message: `Prodigy/DAdapt's d never rose above ${fmt(d.dMax)} (d0 = ${fmt(d0)}, threshold ${factor}× d0) over ${d.points} steps: the effective step d·lr stayed near zero.`,
    evidence: { dMax: d.dMax, dFirst: d.dFirst, d0, factor, points: d.points },
    advice:
      'd stuck at d0 means the optimizer never estimated a step size (konstmish/prodigy#27): use lr = 1.0 with a constant scheduler, raise d0 or d_coef, and check safeguard_warmup / use_bias_correction.',
    confidence: 'medium',
  };
}
