import { describe, expect, it } from 'vitest';
import type { WeightsSummary } from '../runs/weights/summary.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectFlat } from './flat.js';
import { fixtureInput, logsOnly, mapValues, presentKeys, shuffled, withSeries } from './test-fixtures.js';

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
        const scaled = detectFlat({ ...input, run: withSeries(input.run, mapValues(s, (v) => v * k)) }, DEFAULT_CONFIG);
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
