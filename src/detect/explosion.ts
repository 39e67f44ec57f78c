import { cumulativeStdNormalProbability } from 'simple-statistics';
import { gradNormTag, keysScaledTag } from '../runs/kohya-tags.js';
import { blockLength, blockStats, type Blocks } from './blocks.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { detectIncomplete } from './incomplete.js';
import { lossView, type LossView } from './loss-view.js';
import { lrView, valueAt } from './lr-view.js';
import { fmt, round, times } from './numbers.js';

/** One scale's verdict: the first block whose mean ln(loss) rose far above the lowest earlier block. */
export interface RiseScan {
  w: number;
  blocks: Blocks;
  /** Per block: z and ln-ratio against the lowest earlier block (0 for block 0). */
  z: Float64Array;
  lnRatio: Float64Array;
  /** Reference block of each block (argmin of the earlier means). */
  ref: Int32Array;
  /** First block firing (z ≥ zWarn and ratio ≥ ratioWarn), or -1. */
  first: number;
  /** Largest z over all blocks, fired or not (what calibration compares against). */
  zMax: number;
}

/**
 * z_k = (m_k − min_{j<k} m_j) / SE, SE = √2 · s / √w with s = the median block sd of ln(loss) over
 * blocks 0…k−1 (the noise before block k; a blown-up plateau is often quieter than healthy loss
 * and must not shrink the yardstick). Works on ln(loss): rescaling the loss changes nothing and one
 * spike moves a 50-point mean by only ln(spike)/50.
 */
export function scanRises(logs: Float64Array, n: number, w: number, config: DetectConfig['explosion']): RiseScan {
  const blocks = blockStats(logs, n, w);
  const K = blocks.count;
  const z = new Float64Array(K);
  const lnRatio = new Float64Array(K);
  const ref = new Int32Array(K);
  const sdSorted = new Float64Array(K);
  let first = -1;
  let zMax = 0;
  let best = 0;
  for (let k = 1; k < K; k++) {
    if (blocks.mean[k - 1] < blocks.mean[best]) best = k - 1;
    insertSorted(sdSorted, k - 1, blocks.sd[k - 1]);
    const noise = medianOfSorted(sdSorted, k);
    const d = blocks.mean[k] - blocks.mean[best];
    const se = (Math.SQRT2 * noise) / Math.sqrt(w);
    const zk = d <= 0 ? 0 : se > 0 ? d / se : Infinity;
    z[k] = zk;
    lnRatio[k] = d;
    ref[k] = best;
    if (zk > zMax) zMax = zk;
    if (first < 0 && zk >= config.zWarn && d >= Math.log(config.ratioWarn)) first = k;
  }
  return { w, blocks, z, lnRatio, ref, first, zMax };
}

function insertSorted(arr: Float64Array, len: number, x: number): void {
  let i = len;
  while (i > 0 && arr[i - 1] > x) {
    arr[i] = arr[i - 1];
    i--;
  }
  arr[i] = x;
}

function medianOfSorted(arr: Float64Array, len: number): number {
  const h = len >> 1;
  return len % 2 === 1 ? arr[h] : (arr[h - 1] + arr[h]) / 2;
}

/**
 * Corroboration from kohya v0.10's `norm/avg_grad_norm` (diagnosis.md §3.2: "run the same test on
 * it"): the same block scan, same thresholds and block length, on ln(grad norm). Reported beside a
 * loss explosion, never on its own: gradient norms of healthy LoRA runs are not calibrated here.
 */
function gradNormRise(input: DiagnosisInput, w: number, c: DetectConfig['explosion']): { tag: string; step: number | null; z: number } | null {
  const tag = gradNormTag(input.run.scalars.keys());
  const s = tag ? input.run.scalars.get(tag) : undefined;
  if (!tag || !s) return null;
  const logs = new Float64Array(s.length);
  const steps = new Float64Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const x = s.values[i];
    if (x > 0 && x < Infinity) {
      logs[n] = Math.log(x);
      steps[n++] = s.steps[i];
    }
  }
  if (n < 3 * w) return null;
  const scan = scanRises(logs, n, w, c);
  return { tag, step: scan.first >= 0 ? steps[scan.blocks.offset + scan.first * w] : null, z: scan.zMax };
}

/**
 * `max_norm/keys_scaled` (`--scale_weight_norms`): how many modules the max-norm cap had to shrink at each
 * step; kohya.md §6 lists "keys_scaled > 0 and rising" among an explosion's symptoms. The largest count
 * from the onset on against the largest before it, named beside a loss rise and never a finding or a
 * severity of its own: a healthy run's count also grows as its norms reach the cap, so there is no
 * threshold to calibrate, only "more keys hit the cap after the onset than before".
 */
function keysScaledRise(input: DiagnosisInput, onsetStep: number, endStep: number): { tag: string; before: number; after: number } | null {
  const tag = keysScaledTag(input.run.scalars.keys());
  const s = tag ? input.run.scalars.get(tag) : undefined;
  if (!tag || !s) return null;
  let before = 0;
  let after = 0;
  for (let i = 0; i < s.length; i++) {
    const x = s.values[i];
    if (!Number.isFinite(x)) continue;
    if (s.steps[i] < onsetStep) before = Math.max(before, x);
    else if (s.steps[i] <= endStep) after = Math.max(after, x);
  }
  return { tag, before, after };
}

/** First non-finite point of the judged loss, as a step (NaN when the loss stayed finite). */
export function firstNonFiniteStep(view: LossView): number {
  const v = view.series.values;
  for (let i = 0; i < view.series.length; i++) if (!Number.isFinite(v[i])) return view.series.steps[i];
  return NaN;
}

/**
 * Where the loss crossed from its reference level to its raised level: the argmin of the CUSUM of
 * (ln x − midpoint) over a window around the first firing block, the classic change-point estimate
 * for a shift in mean. Returns an index into the loss view.
 */
function changePoint(logs: Float64Array, from: number, to: number, mid: number): number {
  let s = 0;
  let minS = 0;
  let at = from;
  for (let i = from; i < to; i++) {
    s += logs[i] - mid;
    if (s < minS) {
      minS = s;
      at = i + 1;
    }
  }
  return Math.min(at, to - 1);
}

/**
 * Sparse logs (fewer than `minPoints` points: ai-toolkit's default log_every 100 gives 20 points for
 * 2,000 steps) hold too few points for blocks of 50. What they can still show is a rise that runs
 * to the end: the last m points ranked above the earlier ones. The rank-sum (Mann–Whitney U) of
 * each tail against the points before it is tested — exact when every tail point beats every earlier
 * one (p = 1/C(n, m), needs p ≤ SPARSE.alpha), else the normal approximation (needs p ≤
 * SPARSE.alphaMixed) — and the most significant tail with m ≥ 4 and its median ratioWarn above the
 * earlier median is the rise. Ranks, not means: one huge point moves nothing. The noise is not
 * exchangeable in practice — a fixed dataset order brings the same hard images back at the same
 * phase of every epoch, so thinned healthy kohya logs show 3-point "tails" and mostly-high stretches
 * at p ≈ 0.003 (no-te, sweep-big at 1 point per 100 steps) — hence m ≥ 4 and the stricter mixed bar.
 * A rise the run recovered from is not judged at this density (insufficient_data says so).
 */
export const SPARSE = { minPoints: 8, minTail: 4, minHead: 4, alpha: 0.005, alphaMixed: 1e-4 } as const;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function medianOf(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** One-sided p of U (pairs tail > head, ties ½) for m tail and h head points. */
function rankSumP(u: number, m: number, h: number): number {
  if (u >= m * h) return 1 / binomial(m + h, m);
  const mean = (m * h) / 2;
  const sd = Math.sqrt((m * h * (m + h + 1)) / 12);
  const z = (u - 0.5 - mean) / sd;
  return 1 - cumulativeStdNormalProbability(z);
}

export function sparseTailRise(view: LossView, c: DetectConfig['explosion']): { m: number; ratio: number; p: number } | null {
  const n = view.n;
  if (n < SPARSE.minPoints) return null;
  let best: { m: number; ratio: number; p: number } | null = null;
  // n < minPoints: the O(n³) pair count is a few hundred thousand operations at most.
  for (let m = SPARSE.minTail; m <= n - SPARSE.minHead; m++) {
    let u = 0;
    for (let i = n - m; i < n; i++) {
      for (let j = 0; j < n - m; j++) u += view.logs[i] > view.logs[j] ? 1 : view.logs[i] === view.logs[j] ? 0.5 : 0;
    }
    const p = rankSumP(u, m, n - m);
    if (p > (u >= m * (n - m) ? SPARSE.alpha : SPARSE.alphaMixed) || (best && p >= best.p)) continue;
    const ratio = Math.exp(medianOf(view.logs.subarray(n - m, n)) - medianOf(view.logs.subarray(0, n - m)));
    if (ratio >= c.ratioWarn) best = { m, ratio, p };
  }
  return best;
}

function detectSparseExplosion(input: DiagnosisInput, view: LossView, config: DetectConfig): Finding[] {
  const c = config.explosion;
  const rise = sparseTailRise(view, c);
  if (!rise) return [];
  const n = view.n;
  const onsetStep = view.steps[n - rise.m];
  const lastStep = view.steps[n - 1];
  const error = rise.ratio >= c.ratioError;
  return [
    {
      kind: 'explosion',
      severity: error ? 'error' : 'warning',
      run: input.run.name,
      tag: view.tag,
      step: onsetStep,
      endStep: lastStep,
      message:
        `${view.tag} rose ${times(round(rise.ratio, 3))} above its earlier median from step ${onsetStep} to the end: its last ${rise.m} of ${n} points rank above the earlier ones ` +
        `(rank-sum chance p = ${fmt(rise.p)}; a sparse log, judged by ranks instead of block means).`,
      evidence: {
        sparse: true,
        points: n,
        risingPoints: rise.m,
        ratio: round(rise.ratio),
        p: round(rise.p),
        alpha: SPARSE.alpha,
        alphaMixed: SPARSE.alphaMixed,
        ratioWarn: c.ratioWarn,
        ratioError: c.ratioError,
        recovered: false,
      },
      advice:
        'Lower the learning rate, lengthen the warmup, enable gradient clipping (--max_grad_norm 1.0), prefer bf16 over fp16. Log more often (ai-toolkit: logging.log_every) to see where the rise began.',
      confidence: 'medium',
    },
  ];
}

export function detectExplosion(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view) return [];
  if (view.n < config.minPoints) return detectSparseExplosion(input, view, config);
  const c = config.explosion;
  const w = blockLength(view.n, c.blockSize, c.maxBlocks);
  let scan = scanRises(view.logs, view.n, w, c);
  if (scan.first < 0 && c.coarseFactor > 1) {
    const coarse = scanRises(view.logs, view.n, w * c.coarseFactor, c);
    if (coarse.blocks.count >= 3 && coarse.first >= 0) scan = coarse;
  }
  if (scan.first < 0) return [];

  const { blocks, z, lnRatio } = scan;
  const K = blocks.count;
  const k0 = scan.first;
  const refBlock = scan.ref[k0];
  // Episodes: from a firing block, consecutive blocks still above the recovery level.
  const fires = (k: number) => z[k] >= c.zWarn && lnRatio[k] >= Math.log(c.ratioWarn);
  let episodes = 0;
  let end = -1;
  let firstEnd = -1;
  let peak = k0;
  let firstPeak = k0;
  for (let k = k0; k < K; k++) {
    if (k <= end || !fires(k)) continue;
    episodes++;
    end = k;
    while (end + 1 < K && z[end + 1] >= c.recoverZ) end++;
    if (firstEnd < 0) firstEnd = end;
    for (let j = k; j <= end; j++) if (lnRatio[j] > lnRatio[peak]) peak = j;
    if (episodes === 1) firstPeak = peak;
  }
  const recovered = end + 1 < K;
  const blockStart = (k: number) => blocks.offset + k * scan.w;
  const refMean = blocks.mean[refBlock];
  const mid = (refMean + blocks.mean[firstPeak]) / 2;
  const from = Math.max(0, blockStart(k0) - scan.w);
  const to = Math.min(view.n, blockStart(firstPeak) + scan.w);
  const onsetIdx = changePoint(view.logs, from, to, mid);
  const onsetStep = view.steps[onsetIdx];

  // A blow-up that ends in NaN is two findings with two fixes: the rise (lr too high, reported
  // here with the step it began) and the NaN it led to (nan_loss). The NaN is "after the rise"
  // when it comes at or after the onset, unrecovered, within nanMergeBlocks blocks of the last finite point.
  const nanStep = firstNonFiniteStep(view);
  const lastFiniteStep = view.steps[view.n - 1];
  const spacing = view.n > 1 ? (lastFiniteStep - view.steps[0]) / (view.n - 1) : 1;
  const endsInNan = !recovered && Number.isFinite(nanStep) && nanStep >= onsetStep && nanStep - lastFiniteStep <= c.nanMergeBlocks * scan.w * spacing;
  // Without a logged NaN, a rise that runs to an abrupt end of the log (before the planned steps, or
  // inside an epoch) is the other shape of the same crash: the trainer died at its first NaN.
  const abruptEnd = !recovered && !endsInNan && detectIncomplete(input, config).length > 0;

  const ratio = Math.exp(lnRatio[peak]);
  const lastRatio = Math.exp(blocks.mean[K - 1] - refMean);
  const error = !recovered && (ratio >= c.ratioError || endsInNan);
  const recoveryStep = recovered ? view.steps[blockStart(end + 1)] : null;
  const firstRecoveryStep = firstEnd + 1 < K ? view.steps[blockStart(firstEnd + 1)] : null;
  const lr = lrView(input.run);
  const lrAtOnset = lr.dominant ? valueAt(lr.dominant.series, onsetStep) : NaN;
  const nearLrPeak =
    lr.dominant !== null &&
    Number.isFinite(lr.dominant.peakStep) &&
    onsetStep >= lr.dominant.peakStep - scan.w &&
    onsetStep <= lr.dominant.peakStep + 2 * scan.w;
  const refFrom = view.steps[blockStart(refBlock)];
  const refTo = view.steps[blockStart(refBlock) + scan.w - 1];
  const where = recovered
    ? `from step ${onsetStep}, back to its earlier level at step ${recoveryStep}`
    : endsInNan
      ? `from step ${onsetStep} until it turned non-finite at step ${nanStep} (see nan_loss)`
      : abruptEnd
        ? `from step ${onsetStep} until the log ends abruptly at step ${lastFiniteStep} (still ${times(round(lastRatio, 3))} in the last block): the run likely crashed at its first NaN`
        : `from step ${onsetStep} to the end (still ${times(round(lastRatio, 3))} in the last block)`;
  const grad = gradNormRise(input, scan.w, c);
  const endStep = recovered ? recoveryStep! : view.steps[view.n - 1];
  const keys = keysScaledRise(input, onsetStep, endStep);
  const message =
    `${view.tag} rose ${times(round(ratio, 3))} above its best level (block means of ${scan.w} points, z = ${fmt(z[peak])}; ` +
    `thresholds ${times(c.ratioWarn)} and z ≥ ${c.zWarn}) ${where}` +
    (grad && grad.step !== null ? `; ${grad.tag} rose too, from step ${grad.step} (z = ${fmt(grad.z)})` : '') +
    (keys && keys.after > keys.before ? `; ${keys.tag} rose from at most ${keys.before} to ${keys.after} (the max-norm cap kept shrinking the LoRA)` : '') +
    '.';
  const advice =
    (nearLrPeak ? 'The rise starts near the learning-rate peak: the LR is too high or the warmup too short. ' : '') +
    (endsInNan || abruptEnd ? 'The loss diverged before it went NaN, so the learning rate is the cause, not (only) precision. ' : '') +
    'Lower the learning rate, lengthen the warmup, enable gradient clipping (--max_grad_norm 1.0), prefer bf16 over fp16, and check the training images around the onset step.';
  return [
    {
      kind: 'explosion',
      severity: error ? 'error' : 'warning',
      run: input.run.name,
      tag: view.tag,
      step: onsetStep,
      endStep,
      message,
      evidence: {
        ratio: round(ratio),
        z: round(z[peak]),
        zFirstBlock: round(z[k0]),
        lastBlockRatio: round(lastRatio),
        blockSize: scan.w,
        blocks: K,
        referenceStepStart: refFrom,
        referenceStepEnd: refTo,
        referenceGeoMean: round(Math.exp(refMean)),
        peakGeoMean: round(Math.exp(blocks.mean[peak])),
        firstFiringBlockStep: view.steps[blockStart(k0)],
        recovered,
        recoveryStep,
        endsInNanStep: endsInNan ? nanStep : null,
        abruptEnd,
        episodes,
        firstRecoveryStep,
        lrAtOnset: Number.isFinite(lrAtOnset) ? lrAtOnset : null,
        lrTag: lr.dominant?.tag ?? null,
        zWarn: c.zWarn,
        ratioWarn: c.ratioWarn,
        ratioError: c.ratioError,
        recoverZ: c.recoverZ,
        gradNormTag: grad?.tag ?? null,
        gradNormRiseStep: grad?.step ?? null,
        gradNormZ: grad ? round(grad.z) : null,
        keysScaledTag: keys?.tag ?? null,
        keysScaledBefore: keys?.before ?? null,
        keysScaledAfter: keys?.after ?? null,
      },
      advice,
      confidence: z[peak] >= 2 * c.zWarn ? 'high' : 'medium',
    },
  ];
}
