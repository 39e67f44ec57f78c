import { blockLength, blockStats, type Blocks } from './blocks.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
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

export function detectExplosion(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run);
  if (!view || view.n < config.minPoints) return [];
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

  // A blow-up that ends in NaN is one event: nan_loss reports it with the rise before it.
  const nanStep = firstNonFiniteStep(view);
  if (!recovered && Number.isFinite(nanStep)) {
    const lastFiniteStep = view.steps[view.n - 1];
    const spacing = view.n > 1 ? (lastFiniteStep - view.steps[0]) / (view.n - 1) : 1;
    if (nanStep >= onsetStep && nanStep - onsetStep <= c.nanMergeBlocks * scan.w * spacing) return [];
  }

  const ratio = Math.exp(lnRatio[peak]);
  const lastRatio = Math.exp(blocks.mean[K - 1] - refMean);
  const error = !recovered && ratio >= c.ratioError;
  const recoveryStep = recovered ? view.steps[blockStart(end + 1)] : null;
  const firstRecoveryStep = firstEnd + 1 < K ? view.steps[blockStart(firstEnd + 1)] : null;
  const lr = lrView(input.run);
  const lrAtOnset = lr.dominant ? valueAt(lr.dominant.series, onsetStep) : NaN;
  const nearLrPeak = lr.dominant !== null && Number.isFinite(lr.dominant.peakStep) && onsetStep >= lr.dominant.peakStep - scan.w && onsetStep <= lr.dominant.peakStep + 2 * scan.w;
  const refFrom = view.steps[blockStart(refBlock)];
  const refTo = view.steps[blockStart(refBlock) + scan.w - 1];
  const where = recovered ? `from step ${onsetStep}, back to its earlier level at step ${recoveryStep}` : `from step ${onsetStep} to the end (still ${times(round(lastRatio, 3))} in the last block)`;
  const message =
    `${view.tag} rose ${times(round(ratio, 3))} above its best level (block means of ${scan.w} points, z = ${fmt(z[peak])}; ` +
    `thresholds ${times(c.ratioWarn)} and z ≥ ${c.zWarn}) ${where}.`;
  const advice =
    (nearLrPeak ? 'The rise starts near the learning-rate peak: the LR is too high or the warmup too short. ' : '') +
    'Lower the learning rate, lengthen the warmup, enable gradient clipping (--max_grad_norm 1.0), prefer bf16 over fp16, and check the training images around the onset step.';
  return [
    {
      kind: 'explosion',
      severity: error ? 'error' : 'warning',
      run: input.run.name,
      tag: view.tag,
      step: onsetStep,
      endStep: recovered ? recoveryStep : view.steps[view.n - 1],
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
        episodes,
        firstRecoveryStep,
        lrAtOnset: Number.isFinite(lrAtOnset) ? lrAtOnset : null,
        lrTag: lr.dominant?.tag ?? null,
        zWarn: c.zWarn,
        ratioWarn: c.ratioWarn,
        ratioError: c.ratioError,
        recoverZ: c.recoverZ,
      },
      advice,
      confidence: z[peak] >= 2 * c.zWarn ? 'high' : 'medium',
    },
  ];
}
