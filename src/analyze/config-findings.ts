import { severityRank, type Finding, type FindingKind, type Severity } from '../detect/finding.js';
import type { LintFinding, LintRuleId } from '../lint/finding.js';

/**
 * How a lint finding about a run's own config becomes a diagnosis finding of kind `config`. A config
 * rule predicts trouble; the run's curves say whether it happened. So a prediction the curves do not
 * bear out must not fail a healthy run: it stays visible, as a notice.
 *
 * - An error stays an error only for the rules in CANNOT_WORK: their error means sd-scripts crashes or
 *   refuses to start, or no parameter gets a positive lr — no curve can make that setting work. Unless
 *   the run's own log contradicts it (its loss was judged and no corroborating finding: it trained): then the
 *   file is probably not the config the run ran with, which is a warning, not a failure.
 * - Any other error or warning keeps lint's severity only when a detector finding (warning or error) on
 *   the same run is of a kind in CORROBORATED_BY for its rule; otherwise it becomes a notice.
 */

/** Rules whose lint error means the setting cannot work at all. */
export const CANNOT_WORK: ReadonlySet<LintRuleId> = new Set<LintRuleId>([
  // "'>' not supported between 'tuple' and 'int'": sd-scripts stops while building the optimizer.
  'optimizer_args_syntax',
  // Every trained group at lr ≤ 0: nothing moves.
  'lr_not_positive',
  // Its error is warmup with the plain constant scheduler, which sd-scripts refuses ("does not require num_warmup_steps").
  'warmup_too_long',
]);

/** The detector kinds that show a rule's predicted effect on the curves (why, per rule). */
export const CORROBORATED_BY: Record<LintRuleId, readonly FindingKind[]> = {
  // Decoupled decay pulls the LoRA back towards zero every step: the run looks untrained.
  weight_decay_high: ['flat'],
  // lr ≪ 1 leaves Prodigy/DAdapt's step d·lr tiny (flat); lr ≫ 1 multiplies it (divergence).
  adaptive_lr: ['flat', 'explosion', 'nan_loss'],
  // Only the first lr takes effect: the other part trains too little or too much.
  adaptive_several_lrs: ['flat', 'explosion', 'nan_loss'],
  // The scheduler is replaced by Adafactor's own lr: the logged lr does not follow the configured schedule.
  adafactor_relative_step: ['lr_schedule', 'flat'],
  // Sign updates at an AdamW-sized lr overshoot.
  lion_lr: ['explosion', 'nan_loss'],
  // Sign updates from tiny batches are noisy enough to diverge.
  lion_batch: ['explosion', 'nan_loss'],
  // The lr never reaches its value: the lr_schedule detector sees warmup that never finishes, or nothing trains.
  warmup_too_long: ['lr_schedule', 'flat'],
  // alpha/dim scales every update up; kohya_ss #1758 reports NaN with large alpha.
  alpha_over_dim: ['explosion', 'nan_loss'],
  // The fp16 SDXL VAE overflows: NaN latents, NaN loss.
  sdxl_fp16_vae: ['nan_loss'],
  // sd-scripts stops while building the optimizer, before the first step: the log holds no data.
  optimizer_args_syntax: ['empty'],
  // No group learns: the loss does not move, the logged lr is zero.
  lr_not_positive: ['flat', 'lr_schedule'],
  // max_train_steps and the epochs disagree: the run ends before (or after) the planned steps.
  steps_mismatch: ['incomplete'],
  // A misspelt key silently keeps sd-scripts' default; no curve says which setting was meant.
  unknown_key: [],
};

/** Findings that mean the loss was not judged (so a quiet report is no evidence that the run trained). */
const NOT_JUDGED: ReadonlySet<FindingKind> = new Set<FindingKind>(['no_loss', 'insufficient_data', 'empty']);

/** The severity a config finding gets on a run, the detector kinds that corroborate it, and whether the run's log contradicts it. */
export function configSeverity(
  f: Pick<LintFinding, 'rule' | 'severity'>,
  detected: readonly Pick<Finding, 'kind' | 'severity'>[],
): { severity: Severity; corroboratedBy: FindingKind[]; contradicted: boolean } {
  const curves = detected.filter((d) => d.kind !== 'config');
  const shown = new Set(curves.filter((d) => severityRank(d.severity) <= severityRank('warning')).map((d) => d.kind));
  const corroboratedBy = CORROBORATED_BY[f.rule].filter((k) => shown.has(k));
  if (f.severity === 'error' && CANNOT_WORK.has(f.rule)) {
    const trained = corroboratedBy.length === 0 && !curves.some((d) => NOT_JUDGED.has(d.kind));
    return { severity: trained ? 'warning' : 'error', corroboratedBy, contradicted: trained };
  }
  return { severity: corroboratedBy.length > 0 ? f.severity : 'notice', corroboratedBy, contradicted: false };
}

/**
 * One rule's findings from one source only. The GUI TOML, hparams.yml, the logged hparams and the
 * LoRA's metadata record the same settings, so one mistake would be reported up to four times. The
 * source where the rule is most severe is kept (the values may differ: the metadata records what ran),
 * among equals the one with line numbers (where the user edits); the others are named in `alsoIn`.
 */
export function onePerRule(lint: readonly LintFinding[]): { finding: LintFinding; alsoIn: string[] }[] {
  const byRule = new Map<LintRuleId, LintFinding[]>();
  for (const f of lint) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const out: { finding: LintFinding; alsoIn: string[] }[] = [];
  for (const list of byRule.values()) {
    const files = [...new Set(list.map((f) => f.file))];
    const rank = (file: string) => {
      const own = list.filter((f) => f.file === file);
      return Math.min(...own.map((f) => severityRank(f.severity))) * 2 + (own.some((f) => f.line !== null) ? 0 : 1);
    };
    const chosen = files.reduce((best, file) => (rank(file) < rank(best) ? file : best));
    const alsoIn = files.filter((file) => file !== chosen);
    for (const finding of list) if (finding.file === chosen) out.push({ finding, alsoIn });
  }
  return out;
}

const CONFIDENCE = { cannotWork: 'high', corroborated: 'medium', alone: 'low' } as const;

/** The run's lint findings as diagnosis findings, judged against the detectors' findings on the same run. */
export function configFindings(run: string, lint: readonly LintFinding[], detected: readonly Finding[]): Finding[] {
  return onePerRule(lint).map(({ finding: f, alsoIn }) => {
    const { severity, corroboratedBy, contradicted } = configSeverity(f, detected);
    const cannotWork = f.severity === 'error' && CANNOT_WORK.has(f.rule) && !contradicted;
    const why = contradicted
      ? ' (lint: error; yet this run trained without a warning, so this file is probably not the config it ran with)'
      : cannotWork
        ? ''
        : corroboratedBy.length > 0
          ? ` (corroborated by ${corroboratedBy.join(', ')} on this run)`
          : severity !== f.severity
            ? ` (lint: ${f.severity}; a notice here: this run's curves show no ${CORROBORATED_BY[f.rule].join('/') || 'effect a curve could show'})`
            : '';
    return {
      kind: 'config',
      severity,
      run,
      tag: null,
      step: null,
      endStep: null,
      message: `${f.message}${why}`,
      // The values the rule read first; the policy's own fields after them, so a read value cannot shadow them.
      evidence: {
        ...f.seen,
        rule: f.rule,
        lintSeverity: f.severity,
        corroboratedBy: corroboratedBy.length > 0 ? corroboratedBy.join(',') : null,
        expected: f.expected,
        why: f.why,
        ...(alsoIn.length > 0 ? { alsoIn: alsoIn.join(', ') } : {}),
      },
      advice: f.advice,
      confidence: cannotWork ? CONFIDENCE.cannotWork : corroboratedBy.length > 0 ? CONFIDENCE.corroborated : CONFIDENCE.alone,
      file: f.file,
      rule: f.rule,
      key: f.key,
      line: f.line,
      column: f.column,
    };
  });
}
