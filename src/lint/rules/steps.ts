import type { DetectConfig } from '../../detect/config.js';
import { GUI_FACTS, type ConfigDocument } from '../document.js';
import { numberAt, stepsPerEpoch } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';

/**
 * max_train_steps beside an epoch count that means a different run. sd-scripts lets
 * max_train_epochs win (steps = epochs × ceil(batches / accumulation)); the GUI passes
 * max_train_steps when it is set and uses `epoch` only to compute the steps when it is empty.
 * Without counted images the two cannot be compared: a notice says which one wins.
 */
export function stepsRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const steps = numberAt(doc, 'max_train_steps');
  const epochs = numberAt(doc, 'max_train_epochs');
  const guiEpoch = doc.format === 'kohya-gui-json' ? numberAt(doc, GUI_FACTS.epoch) : undefined;
  if (!steps || steps.value <= 0 || doc.format === 'safetensors-metadata' || doc.format === 'hparams') return [];
  const other = epochs ?? guiEpoch;
  if (!other || other.value <= 0) return [];
  const winner = epochs ? 'max_train_epochs' : 'max_train_steps';
  const perEpoch = stepsPerEpoch(doc);
  if (!perEpoch) {
    if (!epochs) return []; // GUI epoch beside max_train_steps is the GUI's normal state: steps win, no surprise to report
    return [
      lintFinding(doc, 'steps_mismatch', 'notice', steps.at, {
        message: `Both max_train_steps ${steps.value} and max_train_epochs ${epochs.value} are set: sd-scripts trains for the epochs`,
        seen: { max_train_steps: steps.value, max_train_epochs: epochs.value },
        expected: 'one of the two',
        why: 'sd-scripts recomputes max_train_steps from max_train_epochs when both are given; the images could not be counted here to compare them',
        advice: 'Remove the one you do not mean (the article recommends counting in epochs).',
      }),
    ];
  }
  const fromEpochs = other.value * perEpoch.value;
  const gap = Math.abs(fromEpochs - steps.value) / Math.max(steps.value, fromEpochs);
  // With buckets the per-epoch count is a lower bound: only "epochs give more steps" is certain then.
  const disagree = perEpoch.lowerBound ? fromEpochs > steps.value * (1 + cfg.lint.stepsMismatchShare) : gap > cfg.lint.stepsMismatchShare;
  if (!disagree) return [];
  return [
    lintFinding(doc, 'steps_mismatch', 'warning', steps.at, {
      message: `max_train_steps ${steps.value} disagrees with ${other.at.key} ${other.value} × ${perEpoch.value}${perEpoch.lowerBound ? '+' : ''} steps per epoch = ${fromEpochs}${perEpoch.lowerBound ? '+' : ''} (${perEpoch.detail}); ${winner} wins`,
      seen: {
        max_train_steps: steps.value,
        epochs: other.value,
        stepsPerEpoch: perEpoch.value,
        stepsFromEpochs: fromEpochs,
        lowerBound: perEpoch.lowerBound,
        threshold: cfg.lint.stepsMismatchShare,
      },
      expected: `max_train_steps ≈ epochs × images × repeats / (batch × accumulation) = ${fromEpochs}`,
      why: `the two describe different runs and ${winner === 'max_train_epochs' ? 'sd-scripts trains for the epochs' : 'the GUI passes max_train_steps, so the epoch count is ignored'}`,
      advice: 'Give the length once — in epochs (the article: about 10 full passes) or in steps.',
    }),
  ];
}
