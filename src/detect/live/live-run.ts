import { judgedLoss } from '../../runs/profiles/role-tags.js';
import { shapeFromTags, type RunShape } from '../../runs/profiles/run-shape.js';
import type { SeriesBuilder } from '../../runs/series.js';
import type { DetectConfig } from '../config.js';
import { appendLoss, gateBlockLength, newLossGate, riseMayFire, rollbackLoss, snapshotMedian, spikeMayFire, type LossGate } from './loss-gate.js';

/** Why the batch detectors are re-run on a live run's prefix now. */
export type EvalReason = 'non-finite' | 'rise' | 'spike' | 'block' | 'restart' | 'damage' | 'weights' | 'reset';

/**
 * Incremental state of one live run, updated per stored point in O(1) amortised. It decides when
 * the batch detectors (`diagnoseRun`) must look at the prefix again; what they then report is the
 * finding, so a live alert has exactly the batch verdict and text for that prefix.
 *
 * - non-finite values: exact, per tag (first NaN/Inf of a loss, lr or norm tag re-runs at once);
 * - explosion: the batch block scan redone from prefix sums after every poll (O(K²), K ≤ 40 blocks),
 *   thresholds slightly lowered so it can only open early;
 * - extreme single point: a running lower bound on the run median (exact, from a sorted snapshot);
 * - every other rule (flat, constant, lr schedule, overfitting, outliers, restarts' severity):
 *   re-run at block boundaries, i.e. every w new loss points (w = the explosion block length,
 *   50, or N/40 beyond 2000 points). With ≤ 40 blocks that is ≤ 40 batch re-runs per doubling of
 *   the run, so the amortised cost per point stays constant.
 */
export interface LiveRun {
  lossTag: string | null;
  gate: LossGate;
  /** Monitored tags that already held a non-finite value. */
  nonFinite: Set<string>;
  /** Non-finite points in a row at the end of the judged loss (the nan rule's persistence evidence). */
  lossTailRun: number;
  pending: Set<EvalReason>;
  /** gate.n at the last evaluation, and at the last one the rise / spike gates asked for. */
  lossAtEval: number;
  lossAtRiseEval: number;
  lossAtSpikeEval: number;
  /** Longest series length (for runs without a loss), and its value at the last evaluation. */
  longest: number;
  longestAtEval: number;
  evaluations: number;
  /** The explosion alert is already an error / the extreme-spike warning was given: those gates have nothing left to say. */
  riseSettled: boolean;
  spikeSettled: boolean;
}

export function newLiveRun(): LiveRun {
  return {
    lossTag: null,
    gate: newLossGate(),
    nonFinite: new Set(),
    lossTailRun: 0,
    pending: new Set(),
    lossAtEval: 0,
    lossAtRiseEval: -1,
    lossAtSpikeEval: -1,
    longest: 0,
    longestAtEval: 0,
    evaluations: 0,
    riseSettled: false,
    spikeSettled: false,
  };
}

/** Non-finite loss points in a row after which the live gate stops re-checking each one (blocks still do). */
const TAIL_RECHECK_CAP = 16;

/** Tags whose NaN/Inf the nan rule reports (diagnosis.md §3.1: loss/*, lr/*, norm/*), plus the judged loss. */
function watchedForNonFinite(tag: string, lossTag: string | null): boolean {
  return tag === lossTag || tag.startsWith('loss') || tag.startsWith('lr') || tag.startsWith('norm/');
}

/**
 * One stored point (or a preemption that replaced points from `changedFrom`): O(1) amortised.
 * `tags` lists the run's scalar tags, consulted only when a new tag appears; `where` (its directory
 * and files) lets a writer known by its layout be recognised, as the batch detectors do (ai-toolkit's
 * `loss_log.db`: its tag names alone are shared with other writers).
 */
export function observeScalar(
  live: LiveRun,
  builder: SeriesBuilder,
  changedFrom: number,
  tags: () => Iterable<string>,
  where?: Pick<RunShape, 'dir' | 'files'>,
): void {
  const n = builder.length;
  if (n > live.longest) live.longest = n;
  if (n === 1 && changedFrom === 0) {
    const judged = judgedLoss({ ...shapeFromTags(tags()), ...where })?.tag ?? null;
    if (judged !== live.lossTag) {
      live.lossTag = judged;
      live.gate = newLossGate();
      live.pending.add('reset');
    }
  }
  const x = builder.values[n - 1];
  if (!Number.isFinite(x) && !live.nonFinite.has(builder.tag) && watchedForNonFinite(builder.tag, live.lossTag)) {
    live.nonFinite.add(builder.tag);
    live.pending.add('non-finite');
  }
  if (builder.tag !== live.lossTag) return;
  // Each non-finite loss point of a short unbroken tail re-runs the nan rule: the alert waits for
  // `nan.minConsecutive` in a row, and this keeps the wait exact for any setting up to the cap.
  if (Number.isFinite(x)) live.lossTailRun = 0;
  else if (++live.lossTailRun <= TAIL_RECHECK_CAP) live.pending.add('non-finite');
  if (changedFrom < live.gate.fed) {
    // Preemption replaced stored points. One point at the same step is kohya's gradient
    // accumulation (every micro-batch is logged); more is a restart: look again at once.
    if (live.gate.fed - changedFrom > 1) live.pending.add('restart');
    rollbackLoss(live.gate, changedFrom);
  }
  for (let i = live.gate.fed; i < n; i++) appendLoss(live.gate, builder.values[i]);
}

/** Something outside the series changed (new damage, a restart, a checkpoint): re-run at once. */
export function requestEvaluation(live: LiveRun, reason: EvalReason): void {
  live.pending.add(reason);
}

/** Whether to re-run the batch detectors now, and why (checked once per poll: O(K²) at most). */
export function evaluationDue(live: LiveRun, config: DetectConfig): EvalReason | null {
  for (const r of live.pending) return r;
  const g = live.gate;
  if (live.lossTag !== null && g.n > 0) {
    const c = config.explosion;
    const w = gateBlockLength(g, c);
    if (g.n - live.lossAtEval >= w) return 'block';
    const every = Math.max(1, Math.floor(w / 10));
    // A gate that stays open (the rise goes on) re-asks only every w/10 points, for escalation.
    if (!live.riseSettled && g.n > live.lossAtEval && (live.lossAtRiseEval < 0 || g.n - live.lossAtRiseEval >= every) && riseMayFire(g, c, config.minPoints))
      return 'rise';
    if (
      !live.spikeSettled &&
      g.n > live.lossAtEval &&
      (live.lossAtSpikeEval < 0 || g.n - live.lossAtSpikeEval >= every) &&
      spikeMayFire(g, config.outlier.extremeRatio)
    )
      return 'spike';
    return null;
  }
  const w = Math.max(config.explosion.blockSize, Math.floor(live.longest / config.explosion.maxBlocks));
  return live.longest - live.longestAtEval >= w ? 'block' : null;
}

/**
 * Records that the batch detectors just ran on the current prefix. `loss` is the judged loss series
 * now; `alerted` is the alert memory (kind|tag → severity) after this evaluation.
 */
export function markEvaluated(
  live: LiveRun,
  reason: EvalReason,
  loss: { values: ArrayLike<number>; length: number } | undefined,
  alerted?: ReadonlyMap<string, string>,
): void {
  live.pending.clear();
  live.evaluations++;
  live.longestAtEval = live.longest;
  live.lossAtEval = live.gate.n;
  if (reason === 'rise') live.lossAtRiseEval = live.gate.n;
  if (reason === 'spike') live.lossAtSpikeEval = live.gate.n;
  if (loss) snapshotMedian(live.gate, loss.values, loss.length);
  if (alerted && live.lossTag !== null) {
    live.riseSettled = alerted.get(`explosion|${live.lossTag}`) === 'error';
    live.spikeSettled = alerted.has(`loss_outlier|${live.lossTag}`);
  }
}
