/**
 * Who a run is: hyper-parameters from the LoRA's `ss_*` metadata, the logged hparams, or the trainer's
 * config file beside the run (src/analyze/config-identity.ts), in that order of precedence.
 * Every field is optional: a run without a linked weights file still gets diagnosed from its logs.
 * Filled by `identityFromMetadata` (src/identity/metadata.ts).
 */
export interface OptimizerInfo {
  /** Class name, e.g. `AdamW8bit`, `Prodigy`. */
  name: string;
  /** Module path before the class, e.g. `bitsandbytes.optim.adamw`. */
  module: string;
  /** Parsed `k=v` arguments (Python literals → JS values; unparseable values kept as raw text). */
  args: Record<string, unknown>;
  /** The `ss_optimizer` string as written. */
  raw: string;
}

export interface RunIdentity {
  /** The source that speaks for the run: the first of weights metadata, logged hparams, config file that was found. */
  source: 'safetensors' | 'hparams' | 'config' | 'none';
  /** The trainer's config file that filled (some of) the fields, as found on disk. */
  configPath?: string;
  optimizer?: OptimizerInfo;
  learningRate?: number | null;
  unetLr?: number | null;
  textEncoderLr?: number | number[] | null;
  lrScheduler?: string;
  /** An int (steps) or a ratio < 1 of the total, as kohya accepts both. */
  lrWarmupSteps?: number;
  batchSizePerDevice?: number;
  gradientAccumulationSteps?: number;
  /** batch × processes × gradient accumulation: samples per optimizer step. */
  totalBatchSize?: number;
  epochs?: number;
  /** `ss_num_batches_per_epoch` (micro-batches). */
  batchesPerEpoch?: number;
  steps?: number;
  maxTrainSteps?: number;
  networkModule?: string;
  networkDim?: number;
  networkAlpha?: number;
  mixedPrecision?: string;
  /** Storage dtypes of the weights file (the precision is not in the metadata). */
  saveDtypes?: string[];
  seed?: number;
  baseModel?: string;
  outputName?: string;
  /** Unix seconds. */
  trainingStartedAt?: number;
  trainingFinishedAt?: number;
  sessionId?: string;
}
