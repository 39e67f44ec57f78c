import type { Severity } from '../detect/finding.js';
import type { ConfigDocument, Setting } from './document.js';

export type LintRuleId =
  | 'weight_decay_high'
  | 'adaptive_lr'
  | 'adaptive_several_lrs'
  | 'adafactor_relative_step'
  | 'lion_lr'
  | 'lion_batch'
  | 'warmup_too_long'
  | 'alpha_over_dim'
  | 'sdxl_fp16_vae'
  | 'optimizer_args_syntax'
  | 'lr_not_positive'
  | 'steps_mismatch'
  | 'unknown_key';

/**
 * One lint finding: what the config says, what was expected and why, and what to change — at the
 * line and column of the key (null when the source has no lines, as safetensors metadata).
 * `kind` is `config` so the finding can stand beside the diagnosis findings of a run.
 */
export interface LintFinding {
  kind: 'config';
  rule: LintRuleId;
  severity: Severity;
  file: string;
  /** The key as written in the file (`optimizer_args`, `ss_optimizer`, `datasets[0].batch_size`). */
  key: string | null;
  line: number | null;
  column: number | null;
  message: string;
  /** The values the rule read, thresholds included. */
  seen: Record<string, number | string | boolean | null>;
  expected: string;
  why: string;
  advice: string;
}

/** Builds a finding at a setting's position; `at` undefined means the file as a whole. */
export function lintFinding(
  doc: ConfigDocument,
  rule: LintRuleId,
  severity: Severity,
  at: Setting | undefined,
  body: Pick<LintFinding, 'message' | 'seen' | 'expected' | 'why' | 'advice'>,
): LintFinding {
  return { kind: 'config', rule, severity, file: doc.file, key: at?.key ?? null, line: at?.pos?.line ?? null, column: at?.pos?.column ?? null, ...body };
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

export function compareLintFindings(a: LintFinding, b: LintFinding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    ORDER[a.severity] - ORDER[b.severity] ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
