/** A finding: one plain record saying what went wrong, where, how sure, and what to try. */
export type Severity = 'error' | 'warning' | 'notice';

export type FindingKind =
  | 'nan_loss'
  | 'explosion'
  | 'flat'
  | 'constant_loss'
  | 'loss_outlier'
  | 'lr_schedule'
  | 'overfitting'
  | 'nan_weights'
  | 'inf_weights'
  | 'zero_weights'
  | 'zero_weight_group'
  | 'weights_mismatch'
  | 'restart'
  | 'step_collapse'
  | 'concurrent_writers'
  | 'truncated'
  | 'crc_error'
  | 'damaged'
  | 'not_event_file'
  | 'empty'
  | 'insufficient_data'
  /** No training-loss tag was recognised: the loss rules could not judge the run (never "OK"). */
  | 'no_loss'
  /** The log stops before the planned steps (or, logs only, inside a kohya epoch): stopped, crashed or still running. */
  | 'incomplete'
  /** A `tblens lint` rule flagged the run's own config (GUI TOML, --log_config hparams, the LoRA's ss_* metadata). */
  | 'config';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** Run name (logdir-relative). */
  run: string;
  /** Series judged; null for weight and file findings. */
  tag: string | null;
  /** First step concerned (on the epoch axis for epoch-indexed tags), or null. */
  step: number | null;
  endStep: number | null;
  /** One sentence a user understands, with the observed value, the threshold and where. */
  message: string;
  /** Every number behind the decision, thresholds included. */
  evidence: Record<string, number | string | boolean | null>;
  /** What to try. */
  advice: string;
  confidence: 'high' | 'medium' | 'low';
  /** Event or weights file involved, and byte offset for damage. */
  file?: string;
  offset?: number;
  /** Config findings only: the lint rule, the key as written in `file`, and its 1-based line and column (null for binary sources). */
  rule?: string;
  key?: string | null;
  line?: number | null;
  column?: number | null;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

export function severityRank(s: Severity): number {
  return ORDER[s];
}

/** Worst first, then run, then step: the deterministic order every report uses. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    ORDER[a.severity] - ORDER[b.severity] ||
    (a.run < b.run ? -1 : a.run > b.run ? 1 : 0) ||
    (a.step ?? -1) - (b.step ?? -1) ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
  );
}
