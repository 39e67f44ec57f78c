import type { ConfigDocument } from '../document.js';
import { trainedLrGroups } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';

/**
 * No trained part with a positive lr (nothing trains; the GUI refuses with "Please input learning
 * rate values"), or any negative lr (torch's optimizers raise "Invalid learning rate"). A zero lr
 * for one part beside a positive one is a legitimate way to freeze that part and is not reported.
 */
export function learningRateRule(doc: ConfigDocument): LintFinding[] {
  const groups = trainedLrGroups(doc);
  if (groups.length === 0) return [];
  const negative = groups.find((g) => g.lr < 0);
  if (negative) {
    return [
      lintFinding(doc, 'lr_not_positive', 'error', negative.at, {
        message: `The ${negative.part} learning rate is negative (${negative.lr})`,
        seen: { part: negative.part, lr: negative.lr },
        expected: 'a positive learning rate',
        why: 'the optimizers refuse a negative lr ("Invalid learning rate"); it would step up the loss',
        advice: 'Use a positive lr (AdamW ≈ 1e-4, Prodigy/DAdapt 1.0).',
      }),
    ];
  }
  if (groups.some((g) => g.lr > 0)) return [];
  const first = groups[0];
  return [
    lintFinding(doc, 'lr_not_positive', 'error', first.at, {
      message: `Every trained part has learning rate 0 (${groups.map((g) => g.part).join(', ')}): nothing will train`,
      seen: Object.fromEntries(groups.map((g) => [g.part, g.lr])),
      expected: 'a positive lr for at least one trained part',
      why: 'parameter groups with lr 0 are dropped or never move; the LoRA stays at its initialisation (lora_up all zero)',
      advice: 'Set learning_rate (or unet_lr) to a positive value; to freeze one part use network_train_unet_only or text_encoder_lr = 0.',
    }),
  ];
}
