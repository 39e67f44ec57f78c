import type { DetectConfig } from '../../detect/config.js';
import type { ConfigDocument } from '../document.js';
import { optimizerView, samplesPerStep, trainedLrGroups } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';

/** Lion: lr 3–10× below AdamW's (lion-pytorch README), and ≈ 4× AdamW's batch (the article). */
export function lionRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const opt = optimizerView(doc);
  if (!opt || opt.facts.family !== 'lion') return [];
  const out: LintFinding[] = [];
  const groups = trainedLrGroups(doc);
  const top = groups.reduce<(typeof groups)[number] | undefined>((best, g) => (!best || g.lr > best.lr ? g : best), undefined);
  if (top && top.lr >= cfg.lint.lionLrWarn) {
    out.push(
      lintFinding(doc, 'lion_lr', 'warning', top.at, {
        message: `${opt.info.name} at a ${top.part} lr of ${top.lr}: an AdamW-sized rate (Lion wants 3–10× less)`,
        seen: { optimizer: opt.info.name, lr: top.lr, part: top.part, threshold: cfg.lint.lionLrWarn },
        expected: `lr below ${cfg.lint.lionLrWarn} (≈ 1e-5…3e-5 for a LoRA AdamW would train at 1e-4)`,
        why: 'Lion’s sign update has the same size for every element, larger than Adam’s; at AdamW’s lr it overshoots and can explode',
        advice: 'Divide the lr by 3–10 and raise weight_decay by the same factor (lion-pytorch README).',
      }),
    );
  }
  const batch = samplesPerStep(doc);
  if (batch && batch.value < cfg.lint.lionMinBatch) {
    out.push(
      lintFinding(doc, 'lion_batch', 'warning', batch.at ?? opt.at, {
        message: `${opt.info.name} with ${batch.value} sample per optimizer step: Lion wants about 4× AdamW’s batch`,
        seen: { optimizer: opt.info.name, samplesPerStep: batch.value, threshold: cfg.lint.lionMinBatch },
        expected: `at least ${cfg.lint.lionMinBatch} samples per step (4 or more, as in the article’s Lion run)`,
        why: 'a sign update taken from one sample follows that sample’s noise; the article’s Lion run used batch 4 (and so a quarter of the steps)',
        advice: 'Raise train_batch_size (or gradient_accumulation_steps) to 4, or use AdamW at batch 1.',
      }),
    );
  }
  return out;
}
