/**
 * What one training program's TensorBoard log means: how to recognise it and which tag plays which
 * role. One data file per writer (kohya.ts, onetrainer.ts, …), collected in profiles.ts; the only
 * code that reads them is detect-trainer.ts and role-tags.ts. Facts and sources: docs/trainers.md.
 */

/** A tag named exactly, or any tag matching a pattern. */
export type TagPattern = string | RegExp;

export interface RoleSpec {
  /** Per-step training loss, as logged (the series detectors judge). First candidate present wins. */
  loss: TagPattern[];
  /** The writer's own running mean / EMA of the loss (steadier; for summaries and trends). */
  lossSmoothed: TagPattern[];
  /** Training loss per epoch (step = epoch number), when the writer logs one. */
  epochLoss: TagPattern[];
  /** Scheduled learning rate(s): every matching tag is one optimizer group. */
  lr: TagPattern[];
  /** Effective step size of adaptive optimizers (Prodigy/DAdapt d·lr), every matching tag. */
  effectiveLr: TagPattern[];
  /** Validation loss, first candidate present wins. */
  validation: TagPattern[];
  /** Gradient norm, first candidate present wins. */
  gradNorm: TagPattern[];
  /** The epoch number as a step-indexed series (SimpleTuner's `epoch`). */
  epoch: TagPattern[];
}

/** What the global step of a writer counts. */
export type StepUnit = 'optimizer-step' | 'micro-batch';

export interface TrainerProfile {
  id: 'kohya' | 'onetrainer' | 'ai-toolkit' | 'simpletuner' | 'diffusers' | 'generic';
  /** Name as a report prints it. */
  name: string;
  recognise: {
    /** Each group: the writer wrote every tag of it. One matching group is evidence. */
    tagSets: TagPattern[][];
    /** Path pieces of the run directory (`/`-separated, relative or absolute) typical of its layout. */
    layout: RegExp[];
    /** Only with extra evidence (layout, side runs, hparams keys): its tags alone are shared with others. */
    tagsAmbiguous: boolean;
    /** hparams keys (accelerate's `store_init_configuration`) that point to it. */
    hparamKeys: string[];
  };
  roles: RoleSpec;
  steps: {
    unit: StepUnit;
    /** Under gradient accumulation the same step is written once per micro-batch (diffusers' dreambooth scripts). */
    repeatsUnderAccumulation: boolean;
    /** Points every N steps by default (null: every step); `configKey` is where the run's own N is set. */
    logEvery: number | null;
    configKey: string | null;
  };
  /** The trainer raises on a NaN loss: the log ends at the step before, no NaN point is written. */
  stopsAtFirstNaN: boolean;
  /** Where the facts come from (trainer source file). */
  source: string;
}
