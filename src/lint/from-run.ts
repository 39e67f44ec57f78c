import { parseMetadataValue } from '../identity/python-literal.js';
import { parseOptimizer } from '../identity/optimizer.js';
import type { ConfigDocument, SourcePos } from './document.js';

/** `ss_*` metadata keys and the sd-scripts argument each records (train_network.py metadata). */
const METADATA_ARGS: Record<string, string> = {
  ss_learning_rate: 'learning_rate',
  ss_unet_lr: 'unet_lr',
  ss_text_encoder_lr: 'text_encoder_lr',
  ss_lr_scheduler: 'lr_scheduler',
  ss_lr_warmup_steps: 'lr_warmup_steps',
  ss_max_train_steps: 'max_train_steps',
  ss_network_dim: 'network_dim',
  ss_network_alpha: 'network_alpha',
  ss_network_module: 'network_module',
  ss_network_args: 'network_args',
  ss_mixed_precision: 'mixed_precision',
  ss_full_fp16: 'full_fp16',
  ss_gradient_accumulation_steps: 'gradient_accumulation_steps',
  ss_batch_size_per_device: 'train_batch_size',
  ss_max_grad_norm: 'max_grad_norm',
  ss_no_half_vae: 'no_half_vae',
  ss_sd_model_name: 'pretrained_model_name_or_path',
  ss_vae_name: 'vae',
};

/**
 * A trained LoRA's `__metadata__` as a config: the settings the run actually used (no lines: a
 * finding points at the file and names the `ss_*` key). `ss_optimizer` is kept parsed.
 */
export function metadataDocument(file: string, meta: Record<string, string>): ConfigDocument {
  const doc: ConfigDocument = { file, format: 'safetensors-metadata', lines: [], settings: new Map(), unknownKeys: [] };
  for (const [key, arg] of Object.entries(METADATA_ARGS)) {
    if (meta[key] === undefined) continue;
    const raw = meta[key];
    let value: unknown = key === 'ss_network_args' ? safeJson(raw) : parseMetadataValue(raw);
    if (value === undefined) value = raw;
    doc.settings.set(arg, { value, key });
  }
  if (meta.ss_optimizer !== undefined && meta.ss_optimizer !== 'None')
    doc.settings.set('optimizer_info', { value: parseOptimizer(meta.ss_optimizer), key: 'ss_optimizer' });
  const totalBatch = parseMetadataValue(meta.ss_total_batch_size ?? '');
  if (typeof totalBatch === 'number') doc.settings.set('total_batch_size', { value: totalBatch, key: 'ss_total_batch_size' });
  const base = meta.ss_base_model_version ?? meta['modelspec.architecture'];
  if (base) doc.settings.set('base_model', { value: base, key: meta.ss_base_model_version ? 'ss_base_model_version' : 'modelspec.architecture' });
  const datasets = safeJson(meta.ss_datasets ?? '');
  if (!doc.settings.has('train_batch_size') && Array.isArray(datasets) && typeof datasets[0]?.batch_size_per_device === 'number') {
    doc.settings.set('train_batch_size', { value: datasets[0].batch_size_per_device, key: 'ss_datasets' });
  }
  return doc;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * kohya's `--log_config` hparams (the argparse namespace; lists logged as their `str()`), from the
 * run's event files or its hparams.yml. argparse wrote these keys, so none is "unknown".
 */
export function hparamsDocument(file: string, entries: { key: string; value: unknown; pos?: SourcePos }[], lines: string[] = []): ConfigDocument {
  const doc: ConfigDocument = { file, format: 'hparams', lines, settings: new Map(), unknownKeys: [] };
  for (const { key, value, pos } of entries) {
    const parsed = typeof value === 'string' && /^\s*[[({]/.test(value) ? parseMetadataValue(value) : value;
    doc.settings.set(key, { value: parsed ?? value, key, pos });
  }
  return doc;
}
