import { describe, expect, it } from 'vitest';
import { seriesFromArrays, type Series } from '../runs/series.js';
import type { Run } from '../runs/types.js';
import type { WeightsSummary } from '../weights/summary.js';
import { DEFAULT_CONFIG } from './config.js';
import type { Finding } from './finding.js';
import { detectFlat } from './flat.js';
import { lrView } from './lr-view.js';
import { fixtureInput, fixtureRun, HARD_ROOT, logsOnly, mapValues, presentKeys, shuffled, withSeries } from '../../test/support/detect-fixtures.js';

describe('flat', () => {
  it('flat-tiny-lr: a warning corroborated by the learning rate below the Adam floor', async () => {
    const [f, ...rest] = detectFlat(await fixtureInput('flat-tiny-lr'), DEFAULT_CONFIG);
    expect(rest).toEqual([]);
    expect(f.severity).toBe('warning');
    expect(String(f.evidence.corroborations)).toContain('lr_floor');
    expect(f.evidence.ciHigh).toBeGreaterThanOrEqual(1);
    expect(f.message).toMatch(/peaked at 1e-7, below the .* floor/);
  });

  it('flat-weight-decay: a warning corroborated by the weight-decay budget wd·Σlr', async () => {
    const [f] = detectFlat(await fixtureInput('flat-weight-decay'), DEFAULT_CONFIG);
    expect(f.severity).toBe('warning');
    expect(String(f.evidence.corroborations)).toContain('weight_decay');
    // wd 100 × Σ cosine lr (1e-4 over 3000 steps with warmup) ≈ 15
    expect(f.evidence.decayBudget).toBeGreaterThan(10);
    expect(f.evidence.decayBudget).toBeLessThan(20);
    expect(f.evidence.weightDecaySource).toBe('args');
  });

  it('no healthy fixture run gets a flat warning or error (with its metadata and weights)', async () => {
    for (const key of await presentKeys((l) => l.healthy)) {
      for (const f of detectFlat(await fixtureInput(key), DEFAULT_CONFIG)) expect(`${key}: ${f.severity}`).toBe(`${key}: notice`);
    }
  });

  it('shuffling a healthy series (no trend left) gives at most a loss-only notice', async () => {
    for (const key of ['sweep/adamw', 'sweep/prodigy', 'no-te']) {
      const input = await fixtureInput(key);
      const s = input.run.scalars.get('loss/current')!;
      for (const seed of [4, 5]) {
        for (const f of detectFlat({ ...input, run: withSeries(input.run, shuffled(s, seed)) }, DEFAULT_CONFIG)) {
          expect(f.severity).toBe('notice');
          expect(f.confidence).toBe('low');
        }
      }
    }
  });

  it('every lora_up exactly zero makes a flat run an error; a missing weight-decay argument uses the class default', async () => {
    const input = await fixtureInput('flat-tiny-lr');
    const w = input.weights[input.weights.length - 1];
    const zero: WeightsSummary = { ...w, zeroUpTensors: w.upTensors };
    const [f] = detectFlat({ ...input, weights: [zero] }, DEFAULT_CONFIG);
    expect(f.severity).toBe('error');
    expect(String(f.evidence.corroborations)).toContain('weights_zero');
    const noArgs = { ...input.identity, optimizer: { ...input.identity.optimizer!, args: {} } };
    const [g] = detectFlat({ ...input, identity: noArgs }, DEFAULT_CONFIG);
    expect(g.evidence.weightDecay).toBe(0.01);
    expect(g.evidence.weightDecaySource).toBe('default');
  });

  it('is the same finding when the loss is rescaled by 0.1× and 30×', async () => {
    for (const key of ['flat-tiny-lr', 'flat-weight-decay', 'sweep/adamw']) {
      const input = await fixtureInput(key);
      const s = input.run.scalars.get('loss/current')!;
      const base = detectFlat(input, DEFAULT_CONFIG);
      for (const k of [0.1, 30]) {
        const scaled = detectFlat(
          {
            ...input,
            run: withSeries(
              input.run,
              mapValues(s, (v) => v * k),
            ),
          },
          DEFAULT_CONFIG,
        );
        expect(scaled.map((f) => [f.severity, f.step, f.evidence.corroborations])).toEqual(base.map((f) => [f.severity, f.step, f.evidence.corroborations]));
        expect(scaled.map((f) => f.evidence.rho)).toEqual(base.map((f) => f.evidence.rho));
      }
    }
  });

  it('logs only (no metadata): flat-tiny-lr is still corroborated by its lr; a loss that rose is not flat', async () => {
    const input = await fixtureInput('flat-tiny-lr');
    const [f] = detectFlat(logsOnly(input.run), DEFAULT_CONFIG);
    expect(f.severity).toBe('warning');
    const explode = await fixtureInput('explode');
    expect(detectFlat(logsOnly(explode.run), DEFAULT_CONFIG)).toEqual([]);
  });
});

describe('flat: Prodigy/DAdapt whose effective lr d·lr never reached a useful size', () => {
  it('d·lr held 1000× below the real run (d stuck near a tiny d0, d/d0 still grew 800×): flat with the effective-lr evidence', async () => {
    const run = await fixtureRun('sweep/prodigy');
    const dlr = run.scalars.get('lr/d*lr')!;
    const stuck = withSeries(
      run,
      mapValues(dlr, (v) => v * 1e-3),
    );
    const input = { run: stuck, identity: { source: 'none' as const }, weights: [] };
    const [f] = detectFlat(input, DEFAULT_CONFIG);
    expect(f).toBeDefined();
    expect(String(f.evidence.corroborations)).toMatch(/lr_floor/);
    expect(f.evidence.lrFloor).toBe(DEFAULT_CONFIG.flat.lrFloor.adaptive);
    expect(f.message).toMatch(/effective learning rate d·lr \(lr\/d\*lr\) peaked at/);
    expect(f.advice).toMatch(/raise d0/);
  });

  it('the healthy Prodigy runs stay well above the adaptive floor (no lr_floor)', async () => {
    const run = await fixtureRun('sweep/prodigy');
    for (const f of detectFlat(logsOnly(run), DEFAULT_CONFIG)) expect(String(f.evidence.corroborations)).not.toMatch(/lr_floor/);
  });
});

describe('diagnose text shows the effective lr of adaptive optimizers', () => {
  it('fixtures/hard/prodigy-stuck-d: the text names d·lr beside the nominal lr, not just "lr 1"', async () => {
    const { HARD_ROOT } = await import('../../test/support/detect-fixtures.js');
    const { runSummary } = await import('../cli/watch-summary.js');
    const input = await fixtureInput('prodigy-stuck-d', HARD_ROOT);
    const { text, findings } = await runSummary(
      input.run,
      { source: 'hparams', learningRate: 1, optimizer: { name: 'Prodigy', module: 'prodigyopt', raw: 'prodigyopt.Prodigy', args: {} } },
      [],
      DEFAULT_CONFIG,
      false,
    );
    expect(text).toMatch(/lr 1 · effective lr \(d·lr\) peak 8\.16?e-7/);
    expect(findings.find((f) => f.kind === 'flat')?.evidence.lrFloor).toBe(DEFAULT_CONFIG.flat.lrFloor.adaptive);
  });
});

/**
 * A LoRA key norm as kohya would log it for this run: Adam-type steps of the run's own logged lr move each
 * element by ≈ lr in a random direction, decoupled weight decay pulls it back by wd·lr, so the mean square
 * grows by lr² − 2·wd·lr·v per step from v = 0 (`lora_up` is zero at init). A random walk is the slowest
 * growth a learning LoRA shows (a consistent gradient direction grows it ∝ Σlr instead).
 */
function modelledKeyNorm(run: Run, weightDecay: number, tag = 'norm/avg_key_norm'): Series {
  // The effective step size: d·lr for Prodigy/DAdapt (their lr/unet is a multiplier ≈ 1).
  const lr = lrView(run).dominant!.series;
  const steps: number[] = [];
  const values: number[] = [];
  let v = 0;
  for (let i = 0; i < lr.length; i++) {
    const x = lr.values[i];
    for (let k = i > 0 ? lr.steps[i - 1] + 1 : lr.steps[i]; k <= lr.steps[i]; k++) v += x * x - 2 * weightDecay * x * v;
    steps.push(lr.steps[i]);
    // Scaled like a real ‖up·down‖·α/r of order 0.1–1: the rule must not depend on the unit.
    values.push(Math.sqrt(v) * 300);
  }
  return seriesFromArrays(tag, steps, values);
}

function constantSeries(like: Series, tag: string, value: number): Series {
  return seriesFromArrays(tag, like.steps, new Float64Array(like.length).fill(value));
}

const summary = (fs: Finding[]) => fs.map((f) => [f.severity, f.evidence.corroborations]);

describe('flat: the LoRA key norm kohya logs (norm/avg_key_norm, max_norm/average_key_norm) as corroboration', () => {
  it('a healthy v0.10 run (fixtures/hard/v010-validation) whose key norm grows like a random walk on its own lr gets no new finding', async () => {
    const input = await fixtureInput('v010-validation', HARD_ROOT);
    const base = detectFlat(input, DEFAULT_CONFIG);
    for (const tag of ['norm/avg_key_norm', 'max_norm/average_key_norm']) {
      const run = withSeries(input.run, modelledKeyNorm(input.run, 0.01, tag));
      const out = detectFlat({ ...input, run }, DEFAULT_CONFIG);
      expect(summary(out)).toEqual(summary(base));
      for (const f of out) {
        expect(f.evidence.keyNormTag).toBe(tag);
        // ≈ 2.2 on this schedule, almost twice the 1.2 threshold.
        expect(Number(f.evidence.keyNormGrowth)).toBeGreaterThan(2);
      }
    }
    // With `--scale_weight_norms` also logging keys_scaled = 0, nothing changes either.
    const withCap = withSeries(
      withSeries(input.run, modelledKeyNorm(input.run, 0.01)),
      constantSeries(input.run.scalars.get('loss/current')!, 'max_norm/keys_scaled', 0),
    );
    expect(summary(detectFlat({ ...input, run: withCap }, DEFAULT_CONFIG))).toEqual(summary(base));
  });

  it('the healthy fixture runs with a modelled key norm stay at notice at most', async () => {
    for (const key of await presentKeys((l) => l.healthy)) {
      const input = await fixtureInput(key);
      if (!lrView(input.run).dominant) continue;
      const run = withSeries(input.run, modelledKeyNorm(input.run, 0.01));
      for (const f of detectFlat({ ...input, run }, DEFAULT_CONFIG))
        expect(`${key}: ${f.severity} ${String(f.evidence.corroborations)}`).not.toMatch(/key_norm|warning|error/);
    }
  });

  it('flat-weight-decay, logs only: the loss alone is no finding (ρ 0.90 < 0.97), its key norm at the weight-decay equilibrium makes it a warning', async () => {
    const { run } = await fixtureInput('flat-weight-decay');
    expect(detectFlat(logsOnly(run), DEFAULT_CONFIG)).toEqual([]);
    // wd 100 (the run's own ss_optimizer) holds ‖θ‖ at √(lr/2wd): it falls with the cosine lr instead of growing.
    const [f] = detectFlat(logsOnly(withSeries(run, modelledKeyNorm(run, 100))), DEFAULT_CONFIG);
    expect(f.severity).toBe('warning');
    expect(f.confidence).toBe('medium');
    expect(f.evidence.corroborations).toBe('key_norm_flat');
    expect(Number(f.evidence.keyNormGrowth)).toBeLessThan(DEFAULT_CONFIG.flat.keyNormGrowth);
    expect(f.message).toMatch(/norm\/avg_key_norm shrank to 0\.\d+× from the early to the late window/);
    expect(f.advice).toMatch(/LoRA norm did not grow/);
  });

  it('a key norm exactly constant (no optimizer step changed the LoRA) is strong: a warning alone, an error beside the weight-decay budget', async () => {
    const input = await fixtureInput('flat-weight-decay');
    const zero = constantSeries(input.run.scalars.get('lr/unet')!, 'norm/avg_key_norm', 0);
    const [f] = detectFlat(logsOnly(withSeries(input.run, zero)), DEFAULT_CONFIG);
    expect(f.severity).toBe('warning');
    expect(f.confidence).toBe('high');
    expect(f.evidence.corroborations).toBe('key_norm_constant');
    expect(f.message).toMatch(/stayed exactly 0 from step \d+/);
    const [g] = detectFlat({ ...input, run: withSeries(input.run, zero) }, DEFAULT_CONFIG);
    expect(g.severity).toBe('error');
    expect(String(g.evidence.corroborations)).toMatch(/weight_decay.*key_norm_constant/);
  });

  it('not evidence while --scale_weight_norms shrinks keys in the late window (the cap holds the norm), nor without a positive lr', async () => {
    const input = await fixtureInput('flat-weight-decay');
    const { run } = input;
    const norm = withSeries(run, modelledKeyNorm(run, 100));
    const scaled = withSeries(norm, constantSeries(run.scalars.get('lr/unet')!, 'max_norm/keys_scaled', 3));
    expect(detectFlat(logsOnly(scaled), DEFAULT_CONFIG)).toEqual([]);
    // With its metadata the weight-decay budget still makes it flat; the capped key norm adds nothing.
    const [f] = detectFlat({ ...input, run: scaled }, DEFAULT_CONFIG);
    expect(f.evidence.corroborations).toBe('weight_decay');
    expect(f.evidence.keyNormCapped).toBe(true);
    const noLr = new Map(norm.scalars);
    for (const tag of [...noLr.keys()]) if (tag.startsWith('lr/')) noLr.delete(tag);
    for (const g of detectFlat(logsOnly({ ...norm, scalars: noLr }), DEFAULT_CONFIG)) expect(g.evidence.corroborations).toBe(null);
  });

  it('fixtures/hard: the v0.10 flat run with its key norm at the weight-decay equilibrium is a warning from the key norm alone; the v0.9 healthy run gets nothing', async () => {
    const [f, ...rest] = detectFlat(await fixtureInput('v010-key-norm-decay', HARD_ROOT), DEFAULT_CONFIG);
    expect(rest).toEqual([]);
    expect([f.severity, f.evidence.corroborations, f.evidence.keyNormTag, f.evidence.keyNormCapped]).toEqual([
      'warning',
      'key_norm_flat',
      'norm/avg_key_norm',
      false,
    ]);
    expect(Number(f.evidence.keyNormGrowth)).toBeLessThan(1);
    const healthy = await fixtureInput('v09-key-norm', HARD_ROOT);
    expect(detectFlat(healthy, DEFAULT_CONFIG)).toEqual([]);
    // Its growth (2.21, at the modelled floor of 2.19), read through the v0.9 tag name: a threshold of 3 would fire.
    const config = { ...DEFAULT_CONFIG, flat: { ...DEFAULT_CONFIG.flat, keyNormGrowth: 3 } };
    const [g] = detectFlat(healthy, config);
    expect(g.evidence.keyNormTag).toBe('max_norm/average_key_norm');
    expect(Number(g.evidence.keyNormGrowth)).toBeGreaterThan(2);
  });

  it('a custom keyNormGrowth from the config is used', async () => {
    const input = await fixtureInput('v010-validation', HARD_ROOT);
    const run = withSeries(input.run, modelledKeyNorm(input.run, 0.01));
    const config = { ...DEFAULT_CONFIG, flat: { ...DEFAULT_CONFIG.flat, keyNormGrowth: 3 } };
    const [f] = detectFlat(logsOnly(run), config);
    expect(String(f.evidence.corroborations)).toContain('key_norm_flat');
    expect(f.evidence.keyNormGrowthThreshold).toBe(3);
  });
});
