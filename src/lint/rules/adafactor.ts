import type { ConfigDocument } from '../document.js';
import { GUI_FACTS } from '../document.js';
import { numberAt, optimizerView } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { asText } from '../values.js';

/**
 * Adafactor: with relative_step=True (kohya's default; warmup_init=True forces it) sd-scripts sets
 * the scheduler to `adafactor:<lr>`, so a chosen lr_scheduler and any warmup are silently replaced
 * and learning_rate is only the initial value. With relative_step=False sd-scripts advises
 * max_grad_norm 0 and constant_with_warmup (notices).
 */
export function adafactorRule(doc: ConfigDocument): LintFinding[] {
  const opt = optimizerView(doc);
  if (!opt || opt.facts.family !== 'adafactor') return [];
  const args = opt.info.args;
  const relative = args.relative_step !== false || args.warmup_init === true;
  const schedulerAt = doc.settings.get('lr_scheduler');
  const scheduler = asText(schedulerAt?.value) ?? 'constant';
  const out: LintFinding[] = [];
  if (relative) {
    if (!scheduler.startsWith('adafactor') && scheduler !== 'constant') {
      out.push(
        lintFinding(doc, 'adafactor_relative_step', 'warning', schedulerAt ?? opt.argsAt, {
          message: `Adafactor with relative_step=True ignores lr_scheduler "${scheduler}": sd-scripts replaces it with adafactor:<lr>`,
          seen: { optimizer: opt.info.name, relative_step: true, lr_scheduler: scheduler },
          expected: 'lr_scheduler "adafactor" (or relative_step=False with a schedule of your own)',
          why: 'with relative_step=True Adafactor computes its own step size; the given learning rate is only the initial value',
          advice: 'Set lr_scheduler = "adafactor", or pass relative_step=False scale_parameter=False warmup_init=False and keep your schedule.',
        }),
      );
    }
    const warmup = numberAt(doc, 'lr_warmup_steps') ?? numberAt(doc, GUI_FACTS.warmupPercent);
    if (warmup && warmup.value > 0) {
      out.push(
        lintFinding(doc, 'adafactor_relative_step', 'warning', warmup.at, {
          message: `Adafactor with relative_step=True: the warmup (${warmup.at.key} ${warmup.value}) is not applied`,
          seen: { optimizer: opt.info.name, relative_step: true, warmup: warmup.value },
          expected: 'no warmup with relative_step=True (use warmup_init=True for Adafactor’s own)',
          why: 'the adafactor scheduler sd-scripts installs follows Adafactor’s relative step, not the warmup',
          advice: 'Drop the warmup, or use warmup_init=True in optimizer_args.',
        }),
      );
    }
    return out;
  }
  const clip = numberAt(doc, 'max_grad_norm');
  if ((clip?.value ?? 1) !== 0 && doc.format !== 'kohya-gui-json') {
    out.push(
      lintFinding(doc, 'adafactor_relative_step', 'notice', clip?.at ?? opt.argsAt, {
        message: `Adafactor with relative_step=False and max_grad_norm ${clip?.value ?? 1}: sd-scripts advises 0`,
        seen: { optimizer: opt.info.name, relative_step: false, max_grad_norm: clip?.value ?? 1 },
        expected: 'max_grad_norm = 0',
        why: 'Adafactor already clips its update (clip_threshold); sd-scripts warns "consider set to 0"',
        advice: 'Set max_grad_norm = 0.',
      }),
    );
  }
  return out;
}
