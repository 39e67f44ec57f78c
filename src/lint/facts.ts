import { optimizerFacts, type OptimizerFacts } from '../detect/optimizer-family.js';
import type { OptimizerInfo } from '../identity/identity.js';
import { parseOptimizerArgs } from '../identity/optimizer.js';
import { GUI_FACTS, type ConfigDocument, type Setting } from './document.js';
import { asBool, asNumber, asNumberList, asText } from './values.js';

/** What the rules read, computed once per document from its settings (sd-scripts semantics and defaults). */
export interface NumberAt {
  value: number;
  at: Setting;
}

export function numberAt(doc: ConfigDocument, name: string): NumberAt | undefined {
  const s = doc.settings.get(name);
  const value = asNumber(s?.value);
  return s && value !== undefined ? { value, at: s } : undefined;
}

export function flag(doc: ConfigDocument, name: string): boolean {
  return asBool(doc.settings.get(name)?.value) === true;
}

export interface OptimizerView {
  info: OptimizerInfo;
  facts: OptimizerFacts;
  /** Where the optimizer was named (undefined: sd-scripts' default AdamW). */
  at: Setting | undefined;
  /** Where optimizer_args was written, and its items as sd-scripts receives them. */
  argsAt: Setting | undefined;
  items: string[];
}

/**
 * The optimizer a config selects: `optimizer_type` (or the legacy use_8bit_adam/use_lion_optimizer
 * flags; empty = AdamW), with `optimizer_args` split as sd-scripts gets them — a TOML/hparams list
 * as is, the GUI's one string split at spaces after dropping its quotes (lora_gui.py). Undefined
 * when the config does not say (a GUI preset without `optimizer`, a dataset config).
 */
export function optimizerView(doc: ConfigDocument): OptimizerView | undefined {
  const parsed = doc.settings.get('optimizer_info');
  const lrScheduler = asText(doc.settings.get('lr_scheduler')?.value);
  if (parsed) {
    const info = parsed.value as OptimizerInfo;
    return { info, facts: optimizerFacts({ source: 'safetensors', optimizer: info, lrScheduler }, false), at: parsed, argsAt: parsed, items: [] };
  }
  if (doc.format === 'dataset-toml') return undefined;
  const typeAt = doc.settings.get('optimizer_type');
  let name = asText(typeAt?.value);
  if (!name && flag(doc, 'use_8bit_adam')) name = 'AdamW8bit';
  if (!name && flag(doc, 'use_lion_optimizer')) name = 'Lion';
  if (!name && doc.format === 'kohya-gui-json') return undefined;
  name ??= 'AdamW';
  const argsAt = doc.settings.get('optimizer_args');
  const items = optimizerItems(doc, argsAt);
  const dot = name.lastIndexOf('.');
  const info: OptimizerInfo = {
    name: dot < 0 ? name : name.slice(dot + 1),
    module: dot < 0 ? '' : name.slice(0, dot),
    args: parseOptimizerArgs(items.filter((i) => i.includes('='))),
    raw: name,
  };
  return { info, facts: optimizerFacts({ source: 'none', optimizer: info, lrScheduler }, false), at: typeAt, argsAt, items };
}

function optimizerItems(doc: ConfigDocument, at: Setting | undefined): string[] {
  const v = at?.value;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v.trim() === '') return [];
  // The GUI (and a hand-written string in TOML, which sd-scripts would iterate by character — the
  // syntax rule reports that) is read as the GUI reads it.
  return v.replace(/"/g, '').split(/\s+/).filter(Boolean);
}

export interface LrGroup {
  part: 'text encoder' | 'U-Net';
  lr: number;
  at: Setting | undefined;
}

/**
 * The learning rate of each trained part, in sd-scripts' parameter-group order (text encoder
 * first): unet_lr / text_encoder_lr when given, else learning_rate (default 2e-6). A part frozen by
 * network_train_unet_only / _text_encoder_only or cached text-encoder outputs is left out.
 */
export function trainedLrGroups(doc: ConfigDocument): LrGroup[] {
  const base = numberAt(doc, 'learning_rate');
  const baseLr = base?.value ?? (doc.format === 'kohya-gui-json' ? undefined : 2e-6);
  const groups: LrGroup[] = [];
  const trainsTe = !flag(doc, 'network_train_unet_only') && !flag(doc, 'cache_text_encoder_outputs');
  const trainsUnet = !flag(doc, 'network_train_text_encoder_only');
  if (trainsTe) {
    const teAt = doc.settings.get('text_encoder_lr');
    const te = asNumberList(teAt?.value);
    if (te.length > 0) for (const lr of te) groups.push({ part: 'text encoder', lr, at: teAt });
    else if (baseLr !== undefined) groups.push({ part: 'text encoder', lr: baseLr, at: base?.at });
  }
  if (trainsUnet) {
    const unet = numberAt(doc, 'unet_lr');
    if (unet) groups.push({ part: 'U-Net', lr: unet.value, at: unet.at });
    else if (baseLr !== undefined) groups.push({ part: 'U-Net', lr: baseLr, at: base?.at });
  }
  return groups;
}

/** Samples per optimizer step: batch × gradient accumulation (metadata: ss_total_batch_size). */
export function samplesPerStep(doc: ConfigDocument): { value: number; at: Setting | undefined } | undefined {
  const total = numberAt(doc, 'total_batch_size');
  if (total) return total;
  const batch = numberAt(doc, 'train_batch_size');
  const ga = numberAt(doc, 'gradient_accumulation_steps');
  if (!batch && doc.format === 'kohya-gui-json') return undefined;
  return { value: (batch?.value ?? 1) * (ga?.value ?? 1), at: batch?.at ?? ga?.at };
}

export interface RunLength {
  steps: number;
  at: Setting | undefined;
  basis: string;
}

/**
 * Optimizer steps of the run as the trainer will compute them: epochs × ceil(batches per epoch /
 * accumulation) when epochs are given and the images could be counted (sd-scripts lets
 * max_train_epochs win), else max_train_steps (sd-scripts' default 1600 for its own configs).
 */
export function runLength(doc: ConfigDocument): RunLength | undefined {
  const steps = numberAt(doc, 'max_train_steps');
  const epochs = numberAt(doc, 'max_train_epochs') ?? (doc.format === 'kohya-gui-json' && !steps ? numberAt(doc, GUI_FACTS.epoch) : undefined);
  const perEpoch = stepsPerEpoch(doc);
  if (epochs && perEpoch)
    return { steps: epochs.value * perEpoch.value, at: epochs.at, basis: `${epochs.at.key} ${epochs.value} × ${perEpoch.value} steps per epoch` };
  if (epochs && doc.format !== 'safetensors-metadata') return undefined;
  if (steps) return { steps: steps.value, at: steps.at, basis: `${steps.at.key} ${steps.value}` };
  if (doc.format === 'sd-scripts-toml') return { steps: 1600, at: undefined, basis: 'sd-scripts default max_train_steps 1600' };
  return undefined;
}

export function stepsPerEpoch(doc: ConfigDocument): { value: number; detail: string; lowerBound: boolean } | undefined {
  if (!doc.batchesPerEpoch) return undefined;
  const ga = numberAt(doc, 'gradient_accumulation_steps')?.value ?? 1;
  return { ...doc.batchesPerEpoch, value: Math.ceil(doc.batchesPerEpoch.value / Math.max(1, ga)) };
}

/** The model family as far as the config says it: explicit (GUI checkbox, ss_base_model_version) or inferred from the model's name. */
export function isSdxl(doc: ConfigDocument): { sdxl: boolean; explicit: boolean; at: Setting | undefined } {
  const family = doc.settings.get(GUI_FACTS.family);
  if (family) return { sdxl: family.value === 'sdxl', explicit: true, at: family };
  const base = doc.settings.get('base_model');
  if (base) return { sdxl: /sdxl|stable-diffusion-xl/i.test(String(base.value)), explicit: true, at: base };
  const model = doc.settings.get('pretrained_model_name_or_path');
  const name = asText(model?.value) ?? '';
  const inferred = /(sd_?xl|sdxl|[-_ ]xl[-_. ]|xl_base|pony|illustrious|noobai|animagine)/i.test(name);
  return { sdxl: inferred, explicit: false, at: model };
}
