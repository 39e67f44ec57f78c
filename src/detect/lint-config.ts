/**
 * Thresholds of the `tblens lint` rules. A leaf module (no imports) so the shared DetectConfig can
 * hold it as its `lint` section: one `tblens.config.json` sets diagnosis and lint thresholds, with
 * the same unknown-key and range checks (src/detect/config.ts `mergeConfig`). Sources in
 * shared/docs/configs.md; each value says what it is set against.
 */
export interface LintConfig {
  /**
   * weight_decay above which a family's value is "far above its usual range" (a warning).
   * AdamW's usual 0.01–0.1 (torch default 0.01) → 0.5; Lion 3–10× AdamW's (lion-pytorch README) →
   * 3; Prodigy/DAdapt with decouple ≈ 0.01 (Prodigy README) → 0.1; Adafactor, SGD as AdamW.
   */
  weightDecayWarn: { adam: number; lion: number; adaptive: number; adafactor: number; sgd: number; other: number };
  /**
   * Prodigy/DAdaptation want lr ≈ 1 (it multiplies the adapted step d). sd-scripts itself warns at
   * lr ≤ 0.1 ("set learning rate around 1.0"); above `adaptiveLrHigh` the adapted step is multiplied
   * beyond any documented use.
   */
  adaptiveLrLow: number;
  adaptiveLrHigh: number;
  /** Lion at or above this lr is AdamW-sized: Lion wants 3–10× less (≈ 1e-5…3e-5; lion-pytorch README). */
  lionLrWarn: number;
  /** Lion wants ≈ 4× AdamW's batch (the article, after LyCORIS's author); below this samples per step it is warned. */
  lionMinBatch: number;
  /** Warmup at or beyond this share of the run: the lr never (or only at the very end) reaches its value. */
  warmupShare: number;
  /** alpha / dim above this scales every update up (kohya docs advise alpha ≈ dim/2 … dim). */
  alphaOverDim: number;
  /** max_train_steps and epochs × steps-per-epoch further apart than this share are reported. */
  stepsMismatchShare: number;
  /** Largest edit distance at which an unknown key gets a "did you mean" suggestion. */
  typoDistance: number;
}

export const DEFAULT_LINT_CONFIG: LintConfig = {
  weightDecayWarn: { adam: 0.5, lion: 3, adaptive: 0.1, adafactor: 0.5, sgd: 0.5, other: 0.5 },
  adaptiveLrLow: 0.1,
  adaptiveLrHigh: 10,
  lionLrWarn: 1e-4,
  lionMinBatch: 2,
  warmupShare: 1,
  alphaOverDim: 1,
  stepsMismatchShare: 0.02,
  typoDistance: 2,
};

/** Dotted names (under `lint.`) that are shares in (0, 1] and whole numbers, for the shared range checks. */
export const LINT_SHARE_FIELDS = ['lint.warmupShare', 'lint.stepsMismatchShare'];
export const LINT_INTEGER_FIELDS = ['lint.lionMinBatch', 'lint.typoDistance'];
