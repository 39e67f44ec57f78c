import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { detectExplosion, scanRises } from './explosion.js';
import { blockLength } from './blocks.js';
import type { Finding } from './finding.js';
import { lossView } from './loss-view.js';
import { fixtureRun, loadRoot, logsOnly, KOHYA_ROOT, mapValues, readLabels, shuffled, withSeries } from '../../test/support/detect-fixtures.js';
import type { Run } from '../runs/types.js';

const labels = readLabels();
const healthyKeys = Object.entries(labels.runs)
  .filter(([, l]) => l.healthy)
  .map(([k]) => k);

async function healthyRuns(): Promise<Run[]> {
  const runs = await loadRoot(KOHYA_ROOT);
  return runs.filter((r) => healthyKeys.some((k) => r.name.startsWith(`${k}/`)));
}

function loss(run: Run) {
  return run.scalars.get('loss/current')!;
}

/** What must not change when the loss is rescaled: everything but level-valued evidence. */
function scaleFree(f: Finding[]) {
  return f.map((x) => ({ ...x, evidence: { ...x.evidence, referenceGeoMean: null, peakGeoMean: null } }));
}

describe('explosion', () => {
  it('finds the labelled blow-up of `explode` as an unrecovered error, onset within 5 % of the label', async () => {
    const run = await fixtureRun('explode');
    const label = labels.runs.explode.expected_findings.find((e) => e.kind === 'explosion')!;
    const [f, ...rest] = detectExplosion(logsOnly(run), DEFAULT_CONFIG);
    expect(rest).toEqual([]);
    expect(f.kind).toBe('explosion');
    expect(f.severity).toBe('error');
    expect(f.evidence.recovered).toBe(false);
    expect(Math.abs(f.step! - label.first_step!)).toBeLessThanOrEqual(0.05 * 2000);
    expect(f.evidence.ratio).toBeGreaterThan(10);
    expect(f.message).toMatch(/loss\/current rose .*× above its best level/);
  });

  it('does not fire on any healthy fixture run; their largest block z stays ≤ 2/3 of the threshold', async () => {
    for (const run of await healthyRuns()) {
      expect(detectExplosion(logsOnly(run), DEFAULT_CONFIG)).toEqual([]);
      const view = lossView(run)!;
      const c = DEFAULT_CONFIG.explosion;
      const scan = scanRises(view.logs, view.n, blockLength(view.n, c.blockSize, c.maxBlocks), c);
      expect(scan.zMax).toBeLessThanOrEqual((2 / 3) * c.zWarn);
    }
  });

  it('gives identical findings when the loss is rescaled by 0.1× and 30×', async () => {
    for (const key of ['explode', 'sweep/adamw', 'nan-late']) {
      const run = await fixtureRun(key);
      const base = scaleFree(detectExplosion(logsOnly(run), DEFAULT_CONFIG));
      for (const k of [0.1, 30]) {
        const scaled = withSeries(
          run,
          mapValues(loss(run), (v) => v * k),
        );
        expect(scaleFree(detectExplosion(logsOnly(scaled), DEFAULT_CONFIG))).toEqual(base);
      }
    }
  });

  it('does not fire on shuffled healthy series (order destroyed, same values)', async () => {
    for (const run of await healthyRuns()) {
      for (const seed of [1, 2, 3]) {
        expect(detectExplosion(logsOnly(withSeries(run, shuffled(loss(run), seed))), DEFAULT_CONFIG)).toEqual([]);
      }
    }
  });

  it('ignores single spikes, even 1000× ones, injected into healthy runs', async () => {
    for (const run of await healthyRuns()) {
      const s = loss(run);
      const spiked = mapValues(s, (v, i) => (i === Math.floor(s.length / 2) || i === Math.floor(s.length * 0.8) ? v * 1000 : v));
      expect(detectExplosion(logsOnly(withSeries(run, spiked)), DEFAULT_CONFIG)).toEqual([]);
    }
  });

  it('finds a sustained 10× shift injected into healthy runs, onset within 5 %, as an unrecovered error', async () => {
    for (const run of await healthyRuns()) {
      const s = loss(run);
      const at = Math.floor(s.length * 0.6);
      const f = detectExplosion(
        logsOnly(
          withSeries(
            run,
            mapValues(s, (v, i) => (i >= at ? v * 10 : v)),
          ),
        ),
        DEFAULT_CONFIG,
      );
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe('error');
      expect(Math.abs(f[0].step! - s.steps[at])).toBeLessThanOrEqual(0.05 * s.length);
    }
  });

  it('reports a 10× burst of 150 steps as a recovered warning with its recovery step', async () => {
    for (const run of await healthyRuns()) {
      const s = loss(run);
      if (s.length < 1000) continue;
      const at = Math.floor(s.length * 0.4);
      const f = detectExplosion(
        logsOnly(
          withSeries(
            run,
            mapValues(s, (v, i) => (i >= at && i < at + 150 ? v * 10 : v)),
          ),
        ),
        DEFAULT_CONFIG,
      );
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe('warning');
      expect(f[0].evidence.recovered).toBe(true);
      expect(f[0].endStep!).toBeGreaterThan(s.steps[at + 149]);
      expect(f[0].endStep!).toBeLessThanOrEqual(s.steps[at + 150] + 2 * 75);
    }
  });

  it('leaves a rise that ends in NaN to nan_loss (one event, one finding)', async () => {
    const run = await fixtureRun('nan-late');
    expect(detectExplosion(logsOnly(run), DEFAULT_CONFIG)).toEqual([]);
  });
});

describe('a divergence that ends in NaN (or in a crash) is an explosion with its own onset', () => {
  const ramp = (v: number, step: number) => (step >= 1500 ? v * Math.exp((step - 1500) / 60) : v);
  // The labels' onset rule (10× the first-epoch level) puts this ramp's onset at 1500 + 60·ln 10 ≈ 1638.
  const labelOnset = 1500 + 60 * Math.log(10);

  it('rise from step 1500, NaN from 1800 on: explosion at the rise, nan_loss at the NaN, each with its fix', async () => {
    const run = await fixtureRun('sweep/adamw');
    const diverged = withSeries(
      run,
      mapValues(loss(run), (v, _i, step) => (step >= 1800 ? NaN : ramp(v, step))),
    );
    const [e, ...more] = detectExplosion(logsOnly(diverged), DEFAULT_CONFIG);
    expect(more).toEqual([]);
    expect(e.severity).toBe('error');
    expect(Math.abs(e.step! - labelOnset)).toBeLessThanOrEqual(150);
    expect(e.step!).toBeLessThan(1800);
    expect(e.evidence.endsInNanStep).toBe(1800);
    expect(e.advice).toMatch(/learning rate is the cause/);
    const { detectNanLoss } = await import('./nan-loss.js');
    const [n] = detectNanLoss(logsOnly(diverged), DEFAULT_CONFIG);
    expect(n.step).toBe(1800);
    expect(n.evidence.riseOnsetStep).toBe(e.step);
    expect(n.advice).toMatch(/^The loss rose before it went NaN/);
    // NaN alone (no rise): precision advice first, no explosion.
    const nanOnly = withSeries(
      run,
      mapValues(loss(run), (v, _i, step) => (step >= 1800 ? NaN : v)),
    );
    expect(detectExplosion(logsOnly(nanOnly), DEFAULT_CONFIG)).toEqual([]);
    expect(detectNanLoss(logsOnly(nanOnly), DEFAULT_CONFIG)[0].advice).toMatch(/^Use bf16 or fp32/);
  });

  it('the run crashed at its first NaN and logged nothing non-finite: the rise before the abrupt end is the evidence', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = loss(run);
    const end = s.steps.indexOf(1800);
    const { seriesFromArrays } = await import('../runs/series.js');
    const cut = mapValues(seriesFromArrays(s.tag, s.steps.slice(0, end), s.values.slice(0, end), s.wallTimes.slice(0, end)), (v, _i, step) => ramp(v, step));
    const crashed = withSeries(run, cut);
    const [e] = detectExplosion({ run: crashed, identity: { source: 'hparams', maxTrainSteps: 3000 }, weights: [] }, DEFAULT_CONFIG);
    expect(e.severity).toBe('error');
    expect(Math.abs(e.step! - labelOnset)).toBeLessThanOrEqual(150);
    expect(e.step!).toBeLessThan(1800);
    expect(e.evidence.abruptEnd).toBe(true);
    expect(e.message).toMatch(/log ends abruptly at step 1799/);
  });
});

describe('explosion: norm/avg_grad_norm as corroboration (fixtures/hard/v010-validation)', () => {
  it('a sustained 10× shift in loss and grad norm: the grad norm rise is named with its own step; unshifted grad norm: no rise named', async () => {
    const { HARD_ROOT } = await import('../../test/support/detect-fixtures.js');
    const run = await fixtureRun('v010-validation', HARD_ROOT);
    expect(detectExplosion(logsOnly(run), DEFAULT_CONFIG)).toEqual([]);
    const shift = (v: number, _i: number, step: number) => (step >= 1500 ? 10 * v : v);
    const lossOnly = withSeries(run, mapValues(loss(run), shift));
    const [a] = detectExplosion(logsOnly(lossOnly), DEFAULT_CONFIG);
    expect(a.evidence.gradNormTag).toBe('norm/avg_grad_norm');
    expect(a.evidence.gradNormRiseStep).toBe(null);
    const both = withSeries(lossOnly, mapValues(run.scalars.get('norm/avg_grad_norm')!, shift));
    const [b] = detectExplosion(logsOnly(both), DEFAULT_CONFIG);
    expect(Math.abs(Number(b.evidence.gradNormRiseStep) - 1500)).toBeLessThanOrEqual(150);
    expect(b.message).toMatch(/norm\/avg_grad_norm rose too, from step \d+/);
  });
});

describe('explosion: max_norm/keys_scaled as corroboration (kohya --scale_weight_norms)', () => {
  it('explode: more keys hitting the max-norm cap after the onset is named beside the rise; a steady count is not', async () => {
    const run = await fixtureRun('explode');
    const [base] = detectExplosion(logsOnly(run), DEFAULT_CONFIG);
    expect(base.evidence.keysScaledTag).toBe(null);
    const onset = Number(base.step);
    const l = loss(run);
    // The cap starts biting as the weights blow up: one more module every 20 steps after the onset.
    const rising = mapValues(l, (_v, _i, step) => (step < onset ? 0 : Math.min(64, Math.floor((step - onset) / 20))));
    const [a] = detectExplosion(logsOnly(withSeries(run, { ...rising, tag: 'max_norm/keys_scaled' })), DEFAULT_CONFIG);
    expect([a.severity, a.step]).toEqual([base.severity, base.step]);
    expect(a.evidence.keysScaledBefore).toBe(0);
    expect(a.evidence.keysScaledAfter).toBe(64);
    expect(a.message).toMatch(/max_norm\/keys_scaled rose from at most 0 to 64 \(the max-norm cap kept shrinking the LoRA\)/);
    const steady = mapValues(l, () => 2);
    const [b] = detectExplosion(logsOnly(withSeries(run, { ...steady, tag: 'max_norm/keys_scaled' })), DEFAULT_CONFIG);
    expect([b.evidence.keysScaledBefore, b.evidence.keysScaledAfter]).toEqual([2, 2]);
    expect(b.message).not.toMatch(/keys_scaled/);
  });
});
