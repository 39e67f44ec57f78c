import type { DetectConfig } from '../../detect/config.js';
import { GUI_FACTS, type ConfigDocument } from '../document.js';
import { numberAt, optimizerView, runLength } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { asText } from '../values.js';

/**
 * Warmup at least as long as the run: `lr_warmup_steps` as steps or (a float < 1) a ratio of the
 * run, the GUI's `lr_warmup` as a percentage. Also sd-scripts' refusal of any warmup with the
 * plain `constant` scheduler ("does not require num_warmup_steps").
 */
export function warmupRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const opt = optimizerView(doc);
  // Adafactor's relative step replaces the scheduler: the adafactor rule speaks then.
  if (opt?.facts.family === 'adafactor' && opt.info.args.relative_step !== false) return [];
  const scheduler = asText(doc.settings.get('lr_scheduler')?.value) ?? 'constant';
  const percent = numberAt(doc, GUI_FACTS.warmupPercent);
  const steps = numberAt(doc, 'lr_warmup_steps');
  const out: LintFinding[] = [];
  if (scheduler === 'constant' && steps && steps.value !== 0 && doc.format === 'sd-scripts-toml') {
    out.push(
      lintFinding(doc, 'warmup_too_long', 'error', steps.at, {
        message: `lr_warmup_steps ${steps.value} with lr_scheduler "constant": sd-scripts refuses to start`,
        seen: { lr_warmup_steps: steps.value, lr_scheduler: scheduler },
        expected: 'lr_warmup_steps = 0 with "constant", or lr_scheduler "constant_with_warmup"',
        why: 'sd-scripts raises "SchedulerType.CONSTANT does not require `num_warmup_steps`. Set None or 0."',
        advice: 'Use lr_scheduler = "constant_with_warmup", or remove lr_warmup_steps.',
      }),
    );
    return out;
  }
  if (scheduler === 'constant') return out;
  let share: number | undefined;
  let at = percent?.at;
  let described = '';
  if (percent) {
    share = percent.value / 100;
    described = `lr_warmup ${percent.value} % of the run`;
  } else if (steps) {
    at = steps.at;
    if (steps.value > 0 && steps.value < 1) {
      share = steps.value;
      described = `lr_warmup_steps ${steps.value} (a ratio of the run)`;
    } else {
      const run = runLength(doc);
      if (run && run.steps > 0) {
        share = steps.value / run.steps;
        described = `lr_warmup_steps ${steps.value} of ${run.steps} steps (${run.basis})`;
      }
    }
  }
  if (share === undefined || share < cfg.lint.warmupShare) return out;
  out.push(
    lintFinding(doc, 'warmup_too_long', 'warning', at, {
      message: `The warmup covers ${(share * 100).toFixed(0)} % of the run: ${described}`,
      seen: { warmupShare: share, threshold: cfg.lint.warmupShare, lr_scheduler: scheduler },
      expected: 'a warmup of 0–10 % of the steps',
      why: 'the lr ramps up during the warmup: a warmup as long as the run means the lr never reaches its value',
      advice: 'Shorten the warmup to a few percent of the steps (GUI: lr_warmup 0–10).',
    }),
  );
  return out;
}
