import type { DetectConfig } from '../../detect/config.js';
import type { ConfigDocument } from '../document.js';
import { optimizerView, trainedLrGroups } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';

/**
 * DAdaptation / Prodigy multiply their own step estimate d by the lr: lr should be ≈ 1 (sd-scripts
 * warns at ≤ 0.1), and with several distinct lrs sd-scripts warns that only the first (the text
 * encoder's group when it is trained) takes effect.
 */
export function adaptiveLrRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const opt = optimizerView(doc);
  if (!opt || (opt.facts.family !== 'dadapt' && opt.facts.family !== 'prodigy')) return [];
  const groups = trainedLrGroups(doc);
  if (groups.length === 0) return [];
  const out: LintFinding[] = [];
  const first = groups[0];
  const { adaptiveLrLow: low, adaptiveLrHigh: high } = cfg.lint;
  if (first.lr > 0 && (first.lr <= low || first.lr > high)) {
    out.push(
      lintFinding(doc, 'adaptive_lr', 'warning', first.at, {
        message: `${opt.info.name} with a ${first.part} lr of ${first.lr}: these optimizers expect lr ≈ 1.0`,
        seen: { optimizer: opt.info.name, lr: first.lr, part: first.part, low, high },
        expected: `lr ≈ 1.0 (flagged at ≤ ${low} or > ${high})`,
        why:
          first.lr <= low
            ? 'the adapted step is d·lr: a small lr scales it down, so training barely moves (sd-scripts warns: "set learning rate around 1.0")'
            : 'the adapted step is d·lr: an lr far above 1 multiplies the step the optimizer estimated',
        advice: 'Set learning_rate, unet_lr and text_encoder_lr to 1.0; tune Prodigy with d_coef instead of the lr.',
      }),
    );
  }
  const distinct = [...new Set(groups.map((g) => g.lr))];
  if (distinct.length > 1) {
    const other = groups.find((g) => g.lr !== first.lr)!;
    out.push(
      lintFinding(doc, 'adaptive_several_lrs', 'warning', other.at, {
        message: `${opt.info.name} with different learning rates (${groups.map((g) => `${g.part} ${g.lr}`).join(', ')}): only the first takes effect`,
        seen: { optimizer: opt.info.name, lrs: distinct.join(', '), first: `${first.part} ${first.lr}` },
        expected: 'one learning rate for every trained part',
        why: 'sd-scripts warns that with several learning rates only the first one will take effect for DAdaptation/Prodigy',
        advice: `Give every part the same lr (1.0), or freeze the part you want slower.`,
      }),
    );
  }
  return out;
}
