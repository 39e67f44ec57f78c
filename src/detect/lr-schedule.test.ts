import { describe, expect, it } from 'vitest';
import { seriesFromArrays } from '../runs/series.js';
import type { Run } from '../runs/types.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectFlat } from './flat.js';
import type { DiagnosisInput } from './input.js';
import { detectLrSchedule } from './lr-schedule.js';
import { fixtureInput, logsOnly, mapValues, presentKeys, withSeries } from '../../test/support/detect-fixtures.js';

function mapLr(run: Run, f: (v: number, i: number) => number, tags = ['lr/unet', 'lr/textencoder']): Run {
  let out = run;
  for (const t of tags) {
    const s = run.scalars.get(t);
    if (s) out = withSeries(out, mapValues(s, f));
  }
  return out;
}

const kinds = (input: DiagnosisInput) => detectLrSchedule(input, DEFAULT_CONFIG).map((f) => `${f.severity}:${f.message.slice(0, 40)}`);

describe('lr_schedule', () => {
  it('explode: the warmup (2000 of 2000 steps) never finished under constant_with_warmup — a warning', async () => {
    const f = detectLrSchedule(await fixtureInput('explode'), DEFAULT_CONFIG);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toMatch(/warmup never finished \(configured warmup 2000 steps of 2000\) under scheduler constant_with_warmup/);
  });

  it('nan-late: the 1000× lr jump at step 1600 is a notice (and no "wasted steps" restatement of it)', async () => {
    const f = detectLrSchedule(await fixtureInput('nan-late'), DEFAULT_CONFIG);
    expect(f.map((x) => [x.severity, x.step, x.evidence.factor])).toEqual([['notice', 1600, 1000]]);
  });

  it('healthy fixture runs (cosine, constant, Adafactor relative step, Prodigy) get no lr finding', async () => {
    for (const key of await presentKeys((l) => l.healthy)) expect({ key, f: kinds(await fixtureInput(key)) }).toEqual({ key, f: [] });
  });

  it('impossible values are errors: all-zero, negative, non-finite', async () => {
    const input = await fixtureInput('sweep/adamw');
    const zero = detectLrSchedule({ ...input, run: mapLr(input.run, () => 0) }, DEFAULT_CONFIG);
    expect(zero.map((f) => f.severity)).toEqual(['error']);
    expect(zero[0].message).toMatch(/exactly 0 at all 3000 logged steps/);
    const neg = detectLrSchedule({ ...input, run: mapLr(input.run, (v, i) => (i === 10 ? -v : v), ['lr/unet']) }, DEFAULT_CONFIG);
    expect(neg.filter((f) => f.severity === 'error').map((f) => [f.tag, f.step])).toEqual([['lr/unet', 11]]);
    const nan = detectLrSchedule({ ...input, run: mapLr(input.run, (v, i) => (i === 2000 ? NaN : v), ['lr/textencoder']) }, DEFAULT_CONFIG);
    expect(nan.filter((f) => f.severity === 'error').map((f) => [f.tag, f.step])).toEqual([['lr/textencoder', 2001]]);
  });

  it('an lr frozen while steps advance in a cosine schedule is the fp16-skip warning; scattered repeats too', async () => {
    const input = await fixtureInput('sweep/adamw');
    const s = input.run.scalars.get('lr/unet')!;
    const held = mapLr(input.run, (v, i) => (i >= 1200 && i < 1350 ? s.values[1199] : v));
    const f = detectLrSchedule({ ...input, run: held }, DEFAULT_CONFIG);
    expect(f.map((x) => [x.severity, x.step, x.endStep])).toEqual([['warning', 1200, 1350]]);
    const scattered = mapLr(input.run, (v, i) => (i > 200 && i % 25 === 0 ? s.values[i - 1] : v));
    const g = detectLrSchedule({ ...input, run: scattered }, DEFAULT_CONFIG);
    expect(g.map((x) => x.severity)).toEqual(['warning']);
    expect(g[0].evidence.repeats).toBeGreaterThanOrEqual(100);
  });

  it('does not call a constant lr after warmup frozen (logs only, no scheduler known)', async () => {
    const input = await fixtureInput('sweep/adamw');
    const s = input.run.scalars.get('lr/unet')!;
    const warm = mapLr(input.run, (_, i) => (i < 100 ? (1e-4 * (i + 1)) / 100 : 1e-4));
    expect(detectLrSchedule(logsOnly(warm), DEFAULT_CONFIG)).toEqual([]);
    expect(s.length).toBe(3000);
  });

  it('Prodigy whose d never left d0 is a warning, and corroborates flat', async () => {
    const input = await fixtureInput('sweep/prodigy');
    const sched = input.run.scalars.get('lr/unet')!;
    const dlr = input.run.scalars.get('lr/d*lr')!;
    const stuck = withSeries(
      input.run,
      seriesFromArrays(
        'lr/d*lr',
        dlr.steps,
        Array.from(sched.values, (m) => m * 1e-6),
      ),
    );
    const f = detectLrSchedule({ ...input, run: stuck }, DEFAULT_CONFIG);
    expect(f.map((x) => [x.severity, x.tag])).toEqual([['warning', 'lr/d*lr']]);
    const flat = detectFlat({ ...input, run: stuck }, DEFAULT_CONFIG);
    expect(String(flat[0]?.evidence.corroborations)).toContain('d_stuck');
  });
});
