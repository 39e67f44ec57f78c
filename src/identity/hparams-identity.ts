import type { OptimizerInfo, RunIdentity } from './identity.js';
import { parseOptimizerArgs, splitTopLevel } from './optimizer.js';
import { parseMetadataValue } from './python-literal.js';

/**
 * The run identity from kohya's `--log_config` hparams (the argparse namespace as logged by
 * accelerate: `learning_rate`, `train_batch_size`, `optimizer_type`, …). Values may arrive as
 * numbers, or as their `str()` text when kohya sanitised them; both are read.
 */
export function identityFromHParams(hparams: Record<string, unknown>): RunIdentity {
  return readHParams(hparams).identity;
}

/**
 * The hparams `identityFromHParams` refused, one line each: a batch size of 0, −1 or 1e-300 or an
 * lr of NaN would put garbage on the samples axis and into the advice, so they are left out and said.
 */
export function hparamsProblems(hparams: Record<string, unknown>): string[] {
  return readHParams(hparams).problems;
}

/** What each hparam must be to be used (the rest of kohya's namespace is taken as logged). */
const VALID: Record<string, { test: (x: number) => boolean; what: string }> = {
  train_batch_size: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  gradient_accumulation_steps: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  max_train_epochs: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  max_train_steps: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  network_dim: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  lora_rank: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  rank: { test: (x) => Number.isSafeInteger(x) && x >= 1, what: 'a whole number ≥ 1' },
  lora_alpha: { test: (x) => Number.isFinite(x), what: 'a finite number' },
  lr_warmup_steps: { test: (x) => Number.isFinite(x) && x >= 0, what: 'a number ≥ 0' },
  learning_rate: { test: (x) => Number.isFinite(x) && x >= 0, what: 'a finite number ≥ 0' },
  unet_lr: { test: (x) => Number.isFinite(x) && x >= 0, what: 'a finite number ≥ 0' },
  network_alpha: { test: (x) => Number.isFinite(x), what: 'a finite number' },
};

function readHParams(hparams: Record<string, unknown>): { identity: RunIdentity; problems: string[] } {
  const id: RunIdentity = { source: 'hparams' };
  const problems: string[] = [];
  const num = (k: string) => {
    const x = asNumber(hparams[k]);
    const rule = VALID[k];
    if (x === undefined || !rule || rule.test(x)) return x;
    problems.push(`hparams ${k} = ${String(x)} is not ${rule.what} (ignored)`);
    return undefined;
  };
  const numOrNull = (k: string): number | null | undefined => (isNone(hparams[k]) ? (k in hparams ? null : undefined) : num(k));
  const text = (k: string) => asText(hparams[k]);
  const set = <K extends keyof RunIdentity>(k: K, v: RunIdentity[K] | undefined) => {
    if (v !== undefined) id[k] = v;
  };
  const optimizer = optimizerFromHParams(hparams);
  if (optimizer) id.optimizer = optimizer;
  set('learningRate', numOrNull('learning_rate'));
  set('unetLr', numOrNull('unet_lr'));
  const te = valueOf(hparams.text_encoder_lr);
  if (te === null && 'text_encoder_lr' in hparams) id.textEncoderLr = null;
  else if (typeof te === 'number') id.textEncoderLr = te;
  else if (Array.isArray(te) && te.length > 0 && te.every((x) => typeof x === 'number')) id.textEncoderLr = te.length === 1 ? te[0] : te;
  set('lrScheduler', text('lr_scheduler'));
  set('lrWarmupSteps', num('lr_warmup_steps'));
  set('batchSizePerDevice', num('train_batch_size'));
  set('gradientAccumulationSteps', num('gradient_accumulation_steps'));
  set('epochs', num('max_train_epochs'));
  set('maxTrainSteps', num('max_train_steps'));
  set('networkModule', text('network_module'));
  // SimpleTuner logs `lora_rank`/`lora_alpha`, the diffusers LoRA scripts `rank`.
  set('networkDim', num('network_dim') ?? num('lora_rank') ?? num('rank'));
  set('networkAlpha', num('network_alpha') ?? num('lora_alpha'));
  set('mixedPrecision', text('mixed_precision'));
  set('seed', num('seed'));
  set('baseModel', text('pretrained_model_name_or_path'));
  set('outputName', text('output_name'));
  return { identity: id, problems };
}

function optimizerFromHParams(h: Record<string, unknown>): OptimizerInfo | undefined {
  // kohya's `optimizer_type`; SimpleTuner's and diffusers' SDXL/Flux scripts' `optimizer` (`adamw_bf16`, `prodigy`).
  let name = asText(h.optimizer_type) ?? asText(h.optimizer);
  // kohya's pre-optimizer_type flags, still honoured when optimizer_type is empty; the diffusers scripts
  // without `--optimizer` use torch's AdamW unless `--use_8bit_adam`, and log that flag either way.
  if (!name) {
    if (valueOf(h.use_8bit_adam) === true) name = 'AdamW8bit';
    else if (valueOf(h.use_lion_optimizer) === true) name = 'Lion';
    else if ('optimizer_type' in h || 'use_8bit_adam' in h) name = 'AdamW';
  }
  if (!name) return undefined;
  const argsValue = valueOf(h.optimizer_args);
  let items: string[] = [];
  if (Array.isArray(argsValue)) items = argsValue.map(String);
  else if (typeof argsValue === 'string' && argsValue.trim()) items = splitTopLevel(argsValue.replace(/\s+(?=\w+=)/g, ','));
  const dot = name.lastIndexOf('.');
  return {
    name: dot < 0 ? name : name.slice(dot + 1),
    module: dot < 0 ? '' : name.slice(0, dot),
    args: parseOptimizerArgs(items),
    raw: items.length ? `${name}(${items.join(',')})` : name,
  };
}

/** A logged hparam as a JS value: strings holding Python literals are parsed. */
function valueOf(v: unknown): unknown {
  return typeof v === 'string' ? parseMetadataValue(v) : v;
}

function isNone(v: unknown): boolean {
  return v === null || v === 'None';
}

function asNumber(v: unknown): number | undefined {
  const x = valueOf(v);
  return typeof x === 'number' ? x : undefined;
}

function asText(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '' || v === 'None') return undefined;
  return v;
}
