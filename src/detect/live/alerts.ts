import { severityRank, type Finding, type FindingKind, type Severity } from '../finding.js';

/**
 * Kinds whose verdict on a prefix means the same as on the whole run, so they may alert while
 * training runs. The rest judge the shape of a finished run: during warmup every schedule looks
 * like "warmup never completed", a young run is "too short to judge", an intermediate checkpoint
 * "does not match" the log's last step, and a live file always ends mid-record. Those are
 * reported in the summary when the run finishes, never as alerts.
 */
export const LIVE_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'nan_loss',
  'explosion',
  'loss_outlier',
  'constant_loss',
  'overfitting',
  'nan_weights',
  'inf_weights',
  'zero_weights',
  'zero_weight_group',
  'restart',
  'step_collapse',
  'crc_error',
  'damaged',
  'not_event_file',
]);

/**
 * Whether a finding may alert while the run is live: a live kind, or the one lr-schedule verdict
 * that holds on any prefix, a non-finite or negative learning rate (it poisons every update from
 * then on). Warmup, decay and "lr ≡ 0" verdicts wait for the end: an lr warmup starts at 0.
 */
export function isLiveFinding(f: Finding): boolean {
  const e = f.evidence;
  if (f.kind === 'nan_loss') return nanLossHoldsLive(f);
  if (LIVE_KINDS.has(f.kind)) return true;
  return f.kind === 'lr_schedule' && typeof e.nonFinite === 'number' && typeof e.negative === 'number' && e.nonFinite + e.negative > 0;
}

/**
 * A NaN loss alerts live only once it has shown that it stays: several non-finite points in a row
 * at the end, or most of the tail. A poll can end right after any NaN, and fp16 loss-scaler skips
 * are isolated NaNs the next step recovers from; alerting on them (and running `--exec`, whose
 * README example stops training) would kill a healthy run. "The log ends at the NaN" is evidence
 * only once the run is over, so it never alerts; an isolated, recovered NaN is a warning in the
 * summary and in `diagnose`, not an alert.
 */
function nanLossHoldsLive(f: Finding): boolean {
  const p = f.evidence.persistence;
  return f.severity === 'error' && (p === 'consecutive' || p === 'tail-share');
}

export type AlertLevel = 'warning' | 'error';

/** What has been alerted for one run: key → severity, so each alert prints once (again only if it escalates). */
export type AlertMemory = Map<string, Severity>;

const FILE_KINDS = new Set<FindingKind>(['crc_error', 'damaged', 'not_event_file']);

function alertKey(f: Finding): string {
  return FILE_KINDS.has(f.kind) ? `${f.kind}|${f.file ?? ''}|${f.offset ?? ''}` : `${f.kind}|${f.tag ?? ''}`;
}

/**
 * The findings that become alerts now: live kinds at `warning` or worse that were not alerted
 * before, or were alerted as a warning and are now errors.
 */
export function newAlerts(memory: AlertMemory, findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (!isLiveFinding(f) || severityRank(f.severity) > severityRank('warning')) continue;
    const key = alertKey(f);
    const before = memory.get(key);
    if (before !== undefined && severityRank(before) <= severityRank(f.severity)) continue;
    memory.set(key, f.severity);
    out.push(f);
  }
  return out;
}

/** Whether an alert of this severity makes `watch --exit-on <level>` stop. */
export function stopsWatch(severity: Severity, exitOn: AlertLevel | 'never'): boolean {
  if (exitOn === 'never') return false;
  return severityRank(severity) <= severityRank(exitOn);
}
