import { DEFAULT_LINT_CONFIG, LINT_INTEGER_FIELDS, LINT_SHARE_FIELDS, type LintConfig } from './lint-config.js';

/**
 * Every threshold the detectors use, in one typed object. Defaults come from diagnosis.md, re-checked
 * on the labelled fixture runs and the real kohya logs: each statistic's threshold sits at ≈ 1.5–2×
 * its worst value on known-healthy runs (the measured worst is quoted beside it). A
 * `tblens.config.json` (or `--config`) overrides any subset through `mergeConfig`.
 */
export interface DetectConfig {
  /**
   * The training-loss tag to judge when the run logged it; '' (the default) recognises kohya's
   * `loss/current`, a bare `loss` and the common generic names. A run with none of them is "not judged".
   */
  lossTag: string;
  /** Fewest finite loss points a trend rule (explosion, flat) needs; fewer gives one `insufficient_data` notice. */
  minPoints: number;
  /** Fewest finite points before an exactly constant loss counts as broken logging. */
  constantMinPoints: number;
  explosion: {
    /** Block length for N ≤ blockSize·maxBlocks points; longer runs use N / maxBlocks, so there are ≤ maxBlocks blocks. */
    blockSize: number;
    maxBlocks: number;
    /**
     * z of a block's mean log-loss over the lowest earlier block, in units of the standard error of
     * that difference. Healthy worst: 3.8 at 50-point blocks, 2.0 at 4× longer blocks (20 healthy
     * fixture runs + 10 real kohya runs; the range of ~40 noisy means is ≈ 3 in theory). 6 ≈ 1.6×.
     */
    zWarn: number;
    /** Effect-size floor on the geometric-mean ratio, for low-noise runs where z alone is large for small rises. */
    ratioWarn: number;
    /** Ratio at which an unrecovered rise is an error (healthy worst ratio at 50-point blocks: 2.9). */
    ratioError: number;
    /** A later block with z below this is back to the reference level: the run recovered. */
    recoverZ: number;
    /** Also test blocks this many times longer (a slower, sustained rise is invisible to short blocks). */
    coarseFactor: number;
    /** A rise whose last finite point is within this many blocks of the first NaN ended in it (both are reported, with their own fixes). */
    nanMergeBlocks: number;
  };
  outlier: {
    /** Trailing window for the local median (the point itself excluded, so a spike cannot mask itself). */
    window: number;
    /** Points of history needed before a point can be judged. */
    minHistory: number;
    /** x / median(previous window). Healthy worst: 91 (batch 1, ε-loss at t≈T is ~1 while the median is ~0.02). 150 ≈ 1.6×. */
    medianRatio: number;
    /** x / max(previous window): the point must also be well beyond anything seen recently. Healthy worst: 2.8. */
    maxRatio: number;
    /** x / median of the whole run at which one point is a warning (healthy worst: 78). */
    extremeRatio: number;
  };
  nan: {
    /** Share of the last `tailFraction` of the loss that, when non-finite, makes NaN an error even if finite values came back. */
    tailFraction: number;
    tailErrorShare: number;
    /**
     * Non-finite points in a row at the end that show the loss stayed non-finite. fp16 loss-scaler
     * skips come one at a time (the scaler halves and the next step is finite); a dead run gives an
     * unbroken tail. Healthy worst in the real and fixture runs: 1 (the fp16 fixtures); 3 ≈ 3×.
     */
    minConsecutive: number;
  };
  flat: {
    /** Baseline starts once lr first reaches this share of its peak … */
    warmupLrShare: number;
    /** … but no later than this share of the run. */
    warmupCap: number;
    /** Early window E and late window L (shares of the post-warmup run) for ρ = mean(L)/mean(E). */
    earlyShare: number;
    lateShare: number;
    /** Two-sided normal quantile for ρ's confidence interval (1.96 → 95 %). */
    z: number;
    /** A loss-only notice needs ρ at or above this as well as a CI reaching 1 (essentially no change). */
    lossOnlyRho: number;
    /**
     * Peak effective lr below which the optimizer could hardly move the weights, per family.
     * Healthy lowest peaks on fixtures: Adam family 5e-5, Lion 1e-5; kohya docs put LoRA at 1e-4…1e-3
     * and Lion 3–10× lower. Floors sit a decade below the lowest plausible healthy lr (Adam 5e-5 → 5e-6,
     * Lion 1e-5 → 1e-6); an unknown optimizer (logs only) gets the lowest family floor.
     * `adaptive` floors Prodigy/DAdapt's effective lr d·lr (`lr/d*lr*`): healthy peaks 8.1e-4…2.5e-3
     * (5 Prodigy runs: 4 fixtures at lr 0.5–2, one real SDXL log), so 1e-5 sits ≈ 80× below the lowest;
     * a d stuck near a tiny d0 (or held by a small d_coef) stays orders of magnitude under it.
     */
    lrFloor: { adam: number; lion: number; sgd: number; other: number; adaptive: number };
    /**
     * Weight-decay budget D = wd·Σlr (AdamW-style decoupled decay shrinks early updates by e^−D).
     * Healthy worst on fixtures: 0.0015 (wd 0.01); typical real LoRA (wd 0.01–0.1, Σlr ≈ 0.1–0.3): ≤ 0.03.
     * The doc's D ≥ 1 (corroborating) and ≥ 5 (strong) stay far above that.
     */
    decayBudget: number;
    decayBudgetStrong: number;
    /**
     * RMS(lora_up) / (lr_peak·√steps): how far the weights moved against a random walk of lr-sized
     * steps. Healthy lowest: 0.9 (Prodigy), AdamW 1.2–2.8, Lion 9–16. Only for optimizers whose
     * per-element step is ≈ lr (Adam family, Lion, DAdapt/Prodigy).
     */
    weightMoveRatio: number;
    /** Share of `lora_up` tensors still exactly zero that counts as weight evidence. */
    zeroUpShare: number;
    /** Prodigy/DAdapt: d never rose above this multiple of d0 (or of its first value): stuck. Healthy: ×1000 and more. */
    dStuckFactor: number;
    /**
     * Growth G = mean(L)/mean(E) of kohya's key norm (`norm/avg_key_norm`, `max_norm/average_key_norm`: mean
     * ‖up·down‖·α/r, 0 at init) over the same windows as ρ; below this the LoRA was not moving. No fixture or
     * real log here has the tag, so the healthy floor is modelled on the real lr schedules and windows of
     * the 36 distinct healthy runs with an lr and ≥ 100 loss points (kohya fixtures with sweep-big, hard,
     * trainers, 10 real kohya logs): a random walk of lr-sized steps (‖θ‖ ∝ √Σlr², the slowest growth an Adam-type
     * step gives) yields G ≥ 2.19 (Lion, batch 4, cosine), a consistent direction (∝ Σlr) G ≥ 5.4. Weight decay
     * at its equilibrium or skipped steps give G ≤ 1 (fixtures/hard/v010-key-norm-decay: 0.45). 1.2 ≈ 0.55× the
     * modelled floor (a quarter of it in ln G).
     */
    keyNormGrowth: number;
  };
  lr: {
    /** "Near zero": below this share of the peak … */
    lowShare: number;
    /** … for more than this share of the steps (cosine spends 6 % below 1 % of its peak). */
    lowStepShare: number;
    /** An upward jump by more than this factor between consecutive points after warmup. */
    jumpFactor: number;
    /** Warmup "never finished": argmax within the last share of the run, lr non-decreasing, risen ≥ warmupRise×. */
    warmupTail: number;
    warmupRise: number;
    /** lr exactly frozen for ≥ max(frozenMinPoints, frozenShare·N) points while a continuous schedule should move it. */
    frozenMinPoints: number;
    frozenShare: number;
    /** Scattered exact repeats (skipped scheduler steps) in a known continuous schedule: ≥ max(frozenMinPoints, repeatShare·N). Healthy cosine/linear: 0. */
    repeatShare: number;
  };
  overfitting: {
    minValidations: number;
    /** Consecutive validations above best·(1+δ) needed (Lightning-style `wait ≥ patience`). */
    patience: number;
    /** δ = max(minDelta, madFactor · MAD(successive differences) / median(val)). */
    minDelta: number;
    madFactor: number;
  };
  weights: {
    /** A file whose `ss_steps` differs from the log's last step by more than this share is reported as a mismatch. */
    stepsMismatchShare: number;
  };
  /** `tblens lint` rules (src/lint/config.ts), in the same file so one tblens.config.json sets both. */
  lint: LintConfig;
}

export const DEFAULT_CONFIG: DetectConfig = {
  lossTag: '',
  minPoints: 100,
  constantMinPoints: 10,
  explosion: {
    blockSize: 50,
    maxBlocks: 40,
    zWarn: 6,
    ratioWarn: 1.5,
    ratioError: 3,
    recoverZ: 2,
    coarseFactor: 4,
    nanMergeBlocks: 2,
  },
  outlier: {
    window: 200,
    minHistory: 50,
    medianRatio: 150,
    maxRatio: 4,
    extremeRatio: 1000,
  },
  nan: {
    tailFraction: 0.1,
    tailErrorShare: 0.5,
    minConsecutive: 3,
  },
  flat: {
    warmupLrShare: 0.9,
    warmupCap: 0.2,
    earlyShare: 0.15,
    lateShare: 0.25,
    z: 1.96,
    lossOnlyRho: 0.97,
    lrFloor: { adam: 5e-6, lion: 1e-6, sgd: 1e-5, other: 1e-6, adaptive: 1e-5 },
    decayBudget: 1,
    decayBudgetStrong: 5,
    weightMoveRatio: 0.1,
    zeroUpShare: 0.5,
    dStuckFactor: 10,
    keyNormGrowth: 1.2,
  },
  lr: {
    lowShare: 0.01,
    lowStepShare: 0.25,
    jumpFactor: 2,
    warmupTail: 0.05,
    warmupRise: 2,
    frozenMinPoints: 20,
    frozenShare: 0.05,
    repeatShare: 0.01,
  },
  overfitting: {
    minValidations: 3,
    patience: 2,
    minDelta: 0.02,
    madFactor: 2,
  },
  weights: {
    stepsMismatchShare: 0.02,
  },
  lint: DEFAULT_LINT_CONFIG,
};

/** Deep-partial overrides as read from JSON. */
export type ConfigOverrides = {
  [K in keyof DetectConfig]?: DetectConfig[K] extends object
    ? { [L in keyof DetectConfig[K]]?: DetectConfig[K][L] extends object ? Partial<DetectConfig[K][L]> : DetectConfig[K][L] }
    : DetectConfig[K];
};

export type ConfigResult = { ok: true; config: DetectConfig } | { ok: false; error: string; field: string };

/** Shares and probabilities must lie in (0, 1]; everything else must be a positive finite number. */
const SHARE_FIELDS = new Set([
  'flat.warmupLrShare',
  'flat.warmupCap',
  'flat.earlyShare',
  'flat.lateShare',
  'flat.lossOnlyRho',
  'flat.zeroUpShare',
  'nan.tailFraction',
  'nan.tailErrorShare',
  'lr.lowShare',
  'lr.lowStepShare',
  'lr.warmupTail',
  'lr.frozenShare',
  'lr.repeatShare',
  'weights.stepsMismatchShare',
  ...LINT_SHARE_FIELDS,
]);
const INTEGER_FIELDS = new Set([
  'minPoints',
  'constantMinPoints',
  'explosion.blockSize',
  'explosion.maxBlocks',
  'explosion.coarseFactor',
  'explosion.nanMergeBlocks',
  'nan.minConsecutive',
  'outlier.window',
  'outlier.minHistory',
  'lr.frozenMinPoints',
  'overfitting.minValidations',
  'overfitting.patience',
  ...LINT_INTEGER_FIELDS,
]);

/**
 * Defaults with the overrides applied. Unknown fields, wrong types and out-of-range values are
 * rejected with the dotted field name (a typo must not silently leave a default in force).
 */
export function mergeConfig(defaults: DetectConfig, overrides: unknown): ConfigResult {
  if (overrides === undefined || overrides === null) return { ok: true, config: structuredClone(defaults) };
  const merged = structuredClone(defaults) as unknown as Record<string, unknown>;
  const problem = mergeInto(merged, overrides, '');
  return problem ? { ok: false, ...problem } : { ok: true, config: merged as unknown as DetectConfig };
}

function mergeInto(target: Record<string, unknown>, source: unknown, prefix: string): { error: string; field: string } | null {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    const field = prefix || '(root)';
    return { field, error: `${field}: expected an object of settings` };
  }
  for (const [key, value] of Object.entries(source)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (!Object.prototype.hasOwnProperty.call(target, key)) return { field, error: `${field}: unknown setting` };
    const current = target[key];
    if (typeof current === 'object' && current !== null) {
      const problem = mergeInto(current as Record<string, unknown>, value, field);
      if (problem) return problem;
      continue;
    }
    if (typeof current === 'string') {
      if (typeof value !== 'string') return { field, error: `${field}: expected a string, got ${JSON.stringify(value)}` };
      target[key] = value;
      continue;
    }
    const bad = checkNumber(field, value);
    if (bad) return { field, error: bad };
    target[key] = value;
  }
  return null;
}

function checkNumber(field: string, value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field}: expected a finite number, got ${JSON.stringify(value)}`;
  if (INTEGER_FIELDS.has(field) && !Number.isInteger(value)) return `${field}: expected a whole number, got ${value}`;
  if (SHARE_FIELDS.has(field) && !(value > 0 && value <= 1)) return `${field}: expected a share in (0, 1], got ${value}`;
  if (!(value > 0)) return `${field}: expected a positive number, got ${value}`;
  return null;
}
