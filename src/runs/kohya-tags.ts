/**
 * What kohya sd-scripts' tag names mean across versions (kohya.md §2), so detectors judge the right
 * series: which loss is the per-step loss, which tags live on the epoch axis, which `lr/*` tags are
 * real optimizer groups and which are the v0.10 duplicates, and where the effective step size of
 * DAdapt/Prodigy is. Non-kohya logs get a conservative generic fallback.
 */

/** Where the judged loss came from: kohya v0.4+ (`loss/current`), kohya ≤ v0.3 (`loss`), or another writer. */
export type LossFlavor = 'kohya' | 'kohya-old' | 'generic';

export interface LossTagChoice {
  tag: string;
  flavor: LossFlavor;
}

/**
 * Epoch-indexed tags (step = epoch number): `loss/epoch`, `loss/epoch_average`, `loss/validation/epoch_*`,
 * kohya ≤ v0.3 / Keras `epoch_loss`, `epoch_*`. They are never mixed with step-indexed tags.
 */
export function isEpochTag(tag: string): boolean {
  const t = tag.trim();
  return t === 'loss/epoch' || t === 'loss/epoch_average' || t.startsWith('loss/validation/epoch_') || /(^|\/)epoch_[^/]*$/.test(t);
}

/** Validation, evaluation or test series: never the training loss. */
export function isValidationTag(tag: string): boolean {
  return /(^|[/_-])(val|valid|validation|eval|evaluation|test)([/_-]|$)/i.test(tag);
}

/**
 * Generic per-step training-loss names from other writers (HF Trainer `train/loss`, Lightning
 * `train_loss`, tensorboardX `data/loss`, TF `loss`). Only these exact shapes: a detector tuned on
 * diffusion loss must not judge an arbitrary metric.
 */
const GENERIC_LOSS = /^(?:(?:train|training|data)[/_])?loss(?:[/_](?:train|step))?$/i;

/** The per-step training loss a detector should judge, or null when the run logged none. */
export function judgedLossTag(tags: Iterable<string>, configured?: string): LossTagChoice | null {
  const all = [...tags];
  const has = new Set(all);
  // The user's `lossTag` setting wins when the run logged it (a trainer with its own loss name).
  if (configured && has.has(configured)) return { tag: configured, flavor: configured === 'loss/current' ? 'kohya' : 'generic' };
  if (has.has('loss/current')) return { tag: 'loss/current', flavor: 'kohya' };
  // kohya ≤ v0.3 logged `loss` + `lr` + `epoch_loss`; any writer's bare `loss` is judged the same way.
  if (has.has('loss')) return { tag: 'loss', flavor: has.has('epoch_loss') && has.has('lr') ? 'kohya-old' : 'generic' };
  const generic = all.filter((t) => GENERIC_LOSS.test(t) && !isEpochTag(t) && !isValidationTag(t)).sort();
  return generic.length > 0 ? { tag: generic[0], flavor: 'generic' } : null;
}

/** kohya's `LossRecorder` moving average (sticky NaN: once NaN, NaN forever). */
export function averageLossTag(tags: Iterable<string>): string | null {
  for (const t of tags) if (t === 'loss/average') return t;
  return null;
}

/** The training loss per epoch: `loss/epoch_average` (v0.10+), `loss/epoch` (v0.4–v0.9), `epoch_loss` (≤ v0.3). */
export function epochLossTag(tags: Iterable<string>): string | null {
  const has = new Set(tags);
  for (const t of ['loss/epoch_average', 'loss/epoch', 'epoch_loss']) if (has.has(t)) return t;
  return null;
}

export interface ValidationTags {
  /** Validation loss per epoch (epoch axis), or per validation step (step axis). */
  tag: string;
  axis: 'epoch' | 'step';
}

/** kohya v0.10 validation tags (epoch axis preferred), then generic `val_loss` / `eval/loss` (step axis). */
export function validationLossTag(tags: Iterable<string>): ValidationTags | null {
  const all = [...tags];
  const has = new Set(all);
  for (const t of ['loss/validation/epoch_average', 'loss/validation/epoch_current']) if (has.has(t)) return { tag: t, axis: 'epoch' };
  for (const t of ['loss/validation/step_average', 'loss/validation/step_current']) if (has.has(t)) return { tag: t, axis: 'step' };
  const generic = all.filter((t) => /^(?:val|valid|validation|eval)[/_]loss$/i.test(t)).sort();
  return generic.length > 0 ? { tag: generic[0], axis: 'step' } : null;
}

export interface LrTag {
  /** The tag as written (kohya writes Flux/SD3 group names with a trailing space). */
  tag: string;
  /** Group name with surrounding spaces trimmed: `unet`, `textencoder 1`, `group0`, or `` for a bare `lr`. */
  group: string;
}

export interface LrTagSet {
  /** Scheduled learning rate per optimizer group (for DAdapt/Prodigy: the multiplier, ≈ 1). */
  scheduled: LrTag[];
  /** `lr/d*lr*`: DAdapt/Prodigy's effective step size d·lr (present only for that family). */
  dlr: LrTag[];
  /** v0.10 `lr/group<i>` / `lr/d*lr/group<i>` duplicates hidden because named groups exist. */
  hiddenDuplicates: string[];
}

const DLR = /^lr\/d\*lr(?:\/(.*))?$/;
const LR = /^lr\/(.+)$/;
const GENERIC_LR = /^(?:lr|learning_rate|train\/learning_rate|lr[-_/].+)$/i;

/**
 * Learning-rate tags by role. kohya v0.10 writes every group twice (`lr/unet` and `lr/group0`) plus
 * `lr/textencoder` for the first group: when named groups exist the `group<i>` copies are hidden so
 * sums over groups do not double count.
 */
export function lrTags(tags: Iterable<string>): LrTagSet {
  const scheduled: LrTag[] = [];
  const dlr: LrTag[] = [];
  for (const tag of tags) {
    const d = DLR.exec(tag);
    if (d) {
      dlr.push({ tag, group: (d[1] ?? '').trim() });
      continue;
    }
    const m = LR.exec(tag);
    if (m) scheduled.push({ tag, group: m[1].trim() });
    else if (GENERIC_LR.test(tag) && !isValidationTag(tag)) scheduled.push({ tag, group: tag === 'lr' ? '' : tag });
  }
  const hiddenDuplicates: string[] = [];
  const isGroupN = (g: LrTag) => /^group\d+$/.test(g.group);
  const keep = (list: LrTag[]) => {
    if (!list.some((g) => !isGroupN(g) && g.group !== '')) return list;
    return list.filter((g) => {
      if (!isGroupN(g)) return true;
      hiddenDuplicates.push(g.tag);
      return false;
    });
  };
  const byTag = (a: LrTag, b: LrTag) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
  return { scheduled: keep(scheduled).sort(byTag), dlr: keep(dlr).sort(byTag), hiddenDuplicates: hiddenDuplicates.sort() };
}

/** The gradient-norm series kohya v0.10 logs for Flux LoRA: the earliest warning of a blow-up. */
export function gradNormTag(tags: Iterable<string>): string | null {
  for (const t of tags) if (t === 'norm/avg_grad_norm') return t;
  return null;
}

/**
 * The LoRA's own size per step: mean over modules of ‖up·down‖·α/r (kohya v0.10 `norm/avg_key_norm`, from
 * `--scale_weight_norms` or Flux GGPO; v0.6.5–v0.9 `max_norm/average_key_norm`). It starts at 0 (`lora_up` is
 * zero at init), so it says whether the weights moved without opening a file.
 */
export function keyNormTag(tags: Iterable<string>): string | null {
  const has = new Set(tags);
  for (const t of ['norm/avg_key_norm', 'max_norm/average_key_norm']) if (has.has(t)) return t;
  return null;
}

/** `max_norm/keys_scaled`: how many modules `--scale_weight_norms` had to shrink back to the cap at that step. */
export function keysScaledTag(tags: Iterable<string>): string | null {
  for (const t of tags) if (t === 'max_norm/keys_scaled') return t;
  return null;
}

/** kohya's step log shape (v0.4+): a run that has it writes an epoch loss after each epoch's last step. */
export function isKohyaStepLog(tags: Iterable<string>): boolean {
  const has = new Set(tags);
  return has.has('loss/current') && has.has('loss/average');
}
