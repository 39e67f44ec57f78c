import type { RunIdentity } from './identity.js';
import { parseOptimizer } from './optimizer.js';
import { parseMetadataValue } from './python-literal.js';
import { unixSeconds } from './unix-time.js';

/**
 * Every `ss_*` / `sshs_*` value parsed (Python `str()` or JSON); other keys (`modelspec.*`,
 * anything unknown) kept as the string written.
 */
export function parseMetadata(meta: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'ss_optimizer') out[key] = parseOptimizer(value);
    else if (key.startsWith('ss_') && !STRING_KEYS.has(key)) out[key] = parseMetadataValue(value);
    else out[key] = value;
  }
  return out;
}

// Identifiers that happen to look like numbers must stay text (a session id beyond 2^53 would round).
const STRING_KEYS = new Set([
  'ss_session_id',
  'ss_sd_scripts_commit_hash',
  'ss_new_sd_model_hash',
  'ss_sd_model_hash',
  'ss_output_name',
  'ss_sd_model_name',
  'ss_training_comment',
]);

export function metaNumber(meta: Record<string, string>, key: string): number | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  const parsed = parseMetadataValue(v);
  return typeof parsed === 'number' ? parsed : undefined;
}

/** A number, `None` → null, absent/other → undefined. */
function metaNumberOrNull(meta: Record<string, string>, key: string): number | null | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  const parsed = parseMetadataValue(v);
  if (parsed === null) return null;
  return typeof parsed === 'number' ? parsed : undefined;
}

function metaText(meta: Record<string, string>, key: string): string | undefined {
  const v = meta[key];
  if (v === undefined || v === 'None' || v === '') return undefined;
  return v;
}

const TIME_KEYS = ['ss_training_started_at', 'ss_training_finished_at'];

/**
 * What `identityFromMetadata` had to ignore, one line per key: a time no Date can hold (`nan`,
 * `inf`, `1e20`). Callers prefix the file; the rest of the identity is still used.
 */
export function metadataProblems(meta: Record<string, string>): string[] {
  const out: string[] = [];
  for (const key of TIME_KEYS) {
    if (meta[key] === undefined || meta[key] === 'None') continue;
    if (unixSeconds(metaNumber(meta, key)) === undefined) out.push(`${key} ${JSON.stringify(meta[key].slice(0, 40))} is not a valid time (ignored)`);
  }
  return out;
}

/** The run identity held in a LoRA's `__metadata__` (kohya.md §4). Absent keys stay undefined. */
export function identityFromMetadata(meta: Record<string, string>): RunIdentity {
  const id: RunIdentity = { source: 'safetensors' };
  const set = <K extends keyof RunIdentity>(k: K, v: RunIdentity[K] | undefined) => {
    if (v !== undefined) id[k] = v;
  };
  if (meta.ss_optimizer !== undefined && meta.ss_optimizer !== 'None') id.optimizer = parseOptimizer(meta.ss_optimizer);
  set('learningRate', metaNumberOrNull(meta, 'ss_learning_rate'));
  set('unetLr', metaNumberOrNull(meta, 'ss_unet_lr'));
  if (meta.ss_text_encoder_lr !== undefined) {
    const te = parseMetadataValue(meta.ss_text_encoder_lr);
    if (te === null || typeof te === 'number') id.textEncoderLr = te;
    else if (Array.isArray(te) && te.every((x) => typeof x === 'number')) id.textEncoderLr = te.length === 1 ? te[0] : te;
  }
  set('lrScheduler', metaText(meta, 'ss_lr_scheduler'));
  set('lrWarmupSteps', metaNumber(meta, 'ss_lr_warmup_steps'));
  const datasets = parseMetadataValue(meta.ss_datasets ?? '');
  const firstDataset =
    Array.isArray(datasets) && typeof datasets[0] === 'object' && datasets[0] !== null ? (datasets[0] as Record<string, unknown>) : undefined;
  const dsBatch = firstDataset && typeof firstDataset.batch_size_per_device === 'number' ? firstDataset.batch_size_per_device : undefined;
  set('batchSizePerDevice', metaNumber(meta, 'ss_batch_size_per_device') ?? dsBatch);
  set('gradientAccumulationSteps', metaNumber(meta, 'ss_gradient_accumulation_steps'));
  set('totalBatchSize', metaNumber(meta, 'ss_total_batch_size'));
  set('epochs', metaNumber(meta, 'ss_num_epochs'));
  set('batchesPerEpoch', metaNumber(meta, 'ss_num_batches_per_epoch'));
  set('steps', metaNumber(meta, 'ss_steps'));
  set('maxTrainSteps', metaNumber(meta, 'ss_max_train_steps'));
  set('networkModule', metaText(meta, 'ss_network_module'));
  set('networkDim', metaNumber(meta, 'ss_network_dim'));
  set('networkAlpha', metaNumber(meta, 'ss_network_alpha'));
  set('mixedPrecision', metaText(meta, 'ss_mixed_precision'));
  set('seed', metaNumber(meta, 'ss_seed'));
  set('baseModel', metaText(meta, 'ss_sd_model_name') ?? metaText(meta, 'ss_base_model_version') ?? metaText(meta, 'modelspec.architecture'));
  set('outputName', metaText(meta, 'ss_output_name') ?? metaText(meta, 'modelspec.title'));
  set('trainingStartedAt', unixSeconds(metaNumber(meta, 'ss_training_started_at')));
  set('trainingFinishedAt', unixSeconds(metaNumber(meta, 'ss_training_finished_at')));
  set('sessionId', metaText(meta, 'ss_session_id'));
  return id;
}
