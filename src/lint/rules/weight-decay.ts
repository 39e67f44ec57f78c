import type { DetectConfig } from '../../detect/config.js';
import type { OptimizerFamily } from '../../detect/optimizer-family.js';
import type { ConfigDocument } from '../document.js';
import { optimizerView, runLength, trainedLrGroups } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { asText } from '../values.js';
import { pointInto } from './point.js';

const FAMILY_KEY: Record<OptimizerFamily, keyof DetectConfig['lint']['weightDecayWarn']> = {
  adam: 'adam',
  lion: 'lion',
  prodigy: 'adaptive',
  dadapt: 'adaptive',
  schedulefree: 'adaptive',
  adafactor: 'adafactor',
  sgd: 'sgd',
  unknown: 'other',
};

const USUAL: Record<string, string> = {
  adam: 'AdamW uses 0.01–0.1 (torch default 0.01)',
  lion: 'Lion uses 3–10× AdamW’s (≈ 0.03–1)',
  adaptive: 'Prodigy/DAdapt with decouple=True use ≈ 0.01',
  adafactor: 'Adafactor, like AdamW, ≈ 0.01–0.1',
  sgd: 'SGD uses ≈ 1e-4–1e-2',
  other: 'most optimizers use ≈ 0.01–0.1',
};

/** Mean lr over the run as a share of the peak, per scheduler (warmup neglected). */
function scheduleShare(scheduler: string | undefined, power: number): number {
  const s = (scheduler ?? 'constant').toLowerCase();
  if (s === 'cosine' || s === 'linear' || s === 'cosine_with_restarts') return 0.5;
  if (s === 'polynomial') return 1 / (power + 1);
  return 1;
}

/**
 * weight_decay given in optimizer_args above the family's threshold. Decoupled decay multiplies
 * the weights by (1 − lr·wd) each step, so over the run early progress shrinks by e^−D with the
 * decay budget D = wd·Σlr; when D reaches the diagnosis' strong threshold the setting cannot train
 * (error), otherwise an unusual value stays a warning (working presets ship Prodigy at 0.45).
 */
export function weightDecayRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const opt = optimizerView(doc);
  if (!opt || opt.facts.weightDecaySource !== 'args' || opt.facts.weightDecay === null) return [];
  const wd = opt.facts.weightDecay;
  const family = FAMILY_KEY[opt.facts.family];
  const limit = cfg.lint.weightDecayWarn[family];
  if (!(wd > limit)) return [];
  const adaptive = family === 'adaptive';
  const peak = Math.max(0, ...trainedLrGroups(doc).map((g) => g.lr));
  const run = runLength(doc);
  const scheduler = asText(doc.settings.get('lr_scheduler')?.value);
  const power = Number(doc.settings.get('lr_scheduler_power')?.value) || 1;
  // Adaptive optimizers scale by an unknown d, Adafactor (relative step) by its own lr: no budget then.
  const budget =
    opt.facts.decoupled && (family === 'adam' || family === 'lion' || family === 'sgd') && run && peak > 0
      ? wd * peak * run.steps * scheduleShare(scheduler, power)
      : null;
  const fatal = budget !== null && budget >= cfg.flat.decayBudgetStrong;
  const at = pointInto(doc, opt.argsAt, 'weight_decay');
  return [
    lintFinding(doc, 'weight_decay_high', fatal ? 'error' : 'warning', at, {
      message: `weight_decay=${wd} with ${opt.info.name} is far above the usual range (threshold ${limit})${budget !== null ? `; decay budget wd·Σlr ≈ ${budget.toPrecision(3)} over ${run!.steps} steps` : ''}`,
      seen: { weight_decay: wd, optimizer: opt.info.name, threshold: limit, decayBudget: budget, steps: run?.steps ?? null, peakLr: peak || null },
      expected: `${USUAL[family]}; flagged above ${limit}`,
      why: fatal
        ? `decoupled decay shrinks the weights by lr·wd each step: after the run only e^-${budget!.toFixed(1)} of early progress is left, so the LoRA ends up looking untrained`
        : adaptive
          ? 'with Prodigy/DAdapt the decay acts at the adapted step d·lr; large values pull the LoRA back towards zero (some presets use ≈ 0.4 on purpose; compare against a run at 0.01)'
          : 'decoupled decay shrinks the weights by lr·wd every step; a much too large value leaves a run looking untrained after thousands of steps',
      advice: `Lower weight_decay to the family's usual value (${USUAL[family]}).`,
    }),
  ];
}
