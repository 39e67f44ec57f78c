import { describe, expect, it } from 'vitest';
import { seriesFromArrays } from '../../runs/series.js';
import type { Run } from '../../runs/types.js';
import { buildPageData, type CompareOptions, type CompareRunInput } from './compare-data.js';
import { decodeColumn } from '../chart/column.js';
import { collectCompareInputs } from './compare-input.js';
import { smoothTensorBoard } from '../chart/smoothing.js';
import { loadRoot } from '../../../test/support/detect-fixtures.js';

const OPTIONS: CompareOptions = { title: 't', x: 'step', smoothing: 0.6, generator: 'tblens test' };

async function sweepInputs(): Promise<CompareRunInput[]> {
  const c = await collectCompareInputs(['fixtures/kohya/sweep']);
  if (!c.ok) throw new Error(c.error);
  return c.inputs;
}

describe('buildPageData on the four-optimizer sweep', () => {
  it('reads batch and epoch length from the LoRA metadata (Lion: batch 4, 50 steps per epoch)', async () => {
    const data = buildPageData(await sweepInputs(), OPTIONS);
    const lion = data.runs.find((r) => r.name === 'lion')!;
    const adamw = data.runs.find((r) => r.name === 'adamw')!;
    expect([lion.batch, lion.batchSource, lion.stepsPerEpoch]).toEqual([4, 'metadata', 50]);
    expect([adamw.batch, adamw.stepsPerEpoch]).toEqual([1, 200]);
    expect(lion.summary.steps).toBe(750);
    expect(adamw.summary.steps).toBe(3000);
    expect(lion.summary.optimizer).toBe('Lion');
    expect(data.notes).toEqual([]);
  });

  it('charts every tag once: smoothed losses, then learning rates, then the per-step loss; lr on a log axis, loss/epoch on the epoch axis', async () => {
    const data = buildPageData(await sweepInputs(), OPTIONS);
    expect(data.charts.map((c) => c.tag)).toEqual(['loss/average', 'loss/epoch', 'effective lr', 'lr/d*lr', 'lr/textencoder', 'lr/unet', 'loss/current']);
    expect(data.charts.map((c) => c.group)).toEqual(['loss', 'loss', 'lr', 'lr', 'lr', 'lr', 'step-loss']);
    // The slider smooths losses; schedules and per-epoch points are drawn as logged.
    expect(data.charts.map((c) => c.smooth)).toEqual([true, false, false, false, false, false, true]);
    expect(data.charts.find((c) => c.tag === 'loss/epoch')!.epochIndexed).toBe(true);
    expect(data.charts.find((c) => c.tag === 'lr/unet')!.log).toBe(true);
    expect(data.charts.find((c) => c.tag === 'loss/average')!.log).toBe(false);
  });

  it('embeds every point of these short series, exactly as float32', async () => {
    const inputs = await sweepInputs();
    const data = buildPageData(inputs, OPTIONS);
    const chart = data.charts.find((c) => c.tag === 'loss/current')!;
    for (const s of chart.series) {
      const original = inputs[s.run].run.scalars.get('loss/current')!;
      expect(s.kind).toBe('points');
      expect(Array.from(decodeColumn(s.steps))).toEqual(Array.from(original.steps));
      expect(Array.from(decodeColumn(s.values!))).toEqual(Array.from(original.values, Math.fround));
    }
  });

  it('computes table losses over every point at the chosen smoothing', async () => {
    const inputs = await sweepInputs();
    const data = buildPageData(inputs, { ...OPTIONS, smoothing: 0.9 });
    const i = inputs.findIndex((x) => x.name === 'prodigy');
    const avg = inputs[i].run.scalars.get('loss/average')!;
    const sm = smoothTensorBoard(avg.values, 0.9);
    expect(data.runs[i].summary.lossTag).toBe('loss/average');
    expect(data.runs[i].summary.finalLoss).toBe(sm[sm.length - 1]);
    const after = Array.from(sm).slice(Math.floor(sm.length / 10));
    expect(data.runs[i].summary.minLoss).toBe(Math.min(...after));
  });

  it('an effective lr chart when a run logged d·lr: d·lr for Prodigy, the lr that trains most for the others, on a log axis', async () => {
    const inputs = await sweepInputs();
    const data = buildPageData(inputs, OPTIONS);
    const chart = data.charts.find((c) => c.tag === 'effective lr')!;
    expect(chart.derived).toMatch(/d·lr/);
    expect(chart.log).toBe(true);
    expect(chart.series.map((s) => data.runs[s.run].name).sort()).toEqual(['adafactor', 'adamw', 'lion', 'prodigy']);
    const prodigy = data.runs.find((r) => r.name === 'prodigy')!;
    expect(prodigy.summary.lr).toBe('1');
    expect(prodigy.summary.effectiveLrTag).toBe('lr/d*lr');
    expect(prodigy.summary.effectiveLr).toBeGreaterThan(1e-5);
    expect(prodigy.summary.effectiveLr).toBeLessThan(0.1);
    expect(data.runs.find((r) => r.name === 'adamw')!.summary.effectiveLr).toBeCloseTo(1e-4, 10);
    // Without d·lr anywhere the lr charts already compare the runs.
    const noDlr = buildPageData(
      inputs.filter((i) => i.name !== 'prodigy'),
      OPTIONS,
    );
    expect(noDlr.charts.map((c) => c.tag)).not.toContain('effective lr');
  });

  it('a per-step loss without a smoothed one is the loss, first', async () => {
    const inputs = (await sweepInputs()).map((i) => ({ ...i, run: { ...i.run, scalars: new Map([...i.run.scalars].filter(([t]) => t !== 'loss/average')) } }));
    const data = buildPageData(inputs, OPTIONS);
    expect(data.charts[0].tag).toBe('loss/current');
    expect(data.charts[0].group).toBe('loss');
  });

  it('keeps only tags matching --tags', async () => {
    const data = buildPageData(await sweepInputs(), { ...OPTIONS, tagFilter: /^lr\/unet$/ });
    expect(data.charts.map((c) => c.tag)).toEqual(['lr/unet']);
  });
});

describe('buildPageData without metadata', () => {
  it('finds steps per epoch from kohya loss/epoch wall times and says the batch is unknown', async () => {
    const runs = await loadRoot('fixtures/kohya/sweep/lion');
    const data = buildPageData([{ name: 'lion', run: runs[0] }], OPTIONS);
    expect(data.runs[0].stepsPerEpoch).toBe(50);
    expect(data.runs[0].stepsPerEpochSource).toBe('epoch-tag');
    expect(data.runs[0].batch).toBeNull();
    expect(data.notes.join(' ')).toMatch(/Batch size unknown for lion/);
  });

  it('uses --batch over everything else', async () => {
    const runs = await loadRoot('fixtures/kohya/sweep/lion');
    const data = buildPageData([{ name: 'lion', run: runs[0], batch: 4 }], OPTIONS);
    expect([data.runs[0].batch, data.runs[0].batchSource]).toEqual([4, 'option']);
  });

  it('counts NaN points of every tag (nan-late: 394 + 394 + 2) and draws from the reader when no diagnosis is given', async () => {
    const runs = await loadRoot('fixtures/kohya/nan-late');
    const data = buildPageData([{ name: 'nan-late', run: runs[0] }], OPTIONS);
    expect(data.runs[0].summary.nonFinite).toBe(790);
    expect(data.charts.find((c) => c.tag === 'loss/current')!.series[0].nonFinite).toBe(394);
  });

  it('marks the resumed run’s restart on its curves from the reader alone', async () => {
    const runs = await loadRoot('fixtures/kohya/resumed');
    const data = buildPageData([{ name: 'resumed', run: runs[0] }], OPTIONS);
    const restarts = data.runs[0].findings.filter((f) => f.kind === 'restart');
    expect(restarts.length).toBeGreaterThan(0);
    expect(restarts.every((f) => f.step !== null && f.tag !== null)).toBe(true);
  });
});

describe('long series', () => {
  /** A real run with one tag replaced by 200 000 synthetic points (spike, NaN run, -Inf at known steps). */
  async function longRun(): Promise<Run> {
    const [run] = await loadRoot('fixtures/kohya/sweep/adamw');
    const n = 200_000;
    const steps = Float64Array.from({ length: n }, (_, i) => i + 1);
    const values = Float64Array.from({ length: n }, (_, i) => 0.1 + 0.02 * Math.sin(i / 50));
    values[123_456] = 40;
    for (let i = 150_000; i < 150_010; i++) values[i] = NaN;
    values[170_000] = -Infinity;
    const scalars = new Map(run.scalars);
    scalars.set('loss/current', seriesFromArrays('loss/current', steps, values));
    return { ...run, scalars };
  }

  it('embeds bucket summaries that keep the spike, every NaN and the -Inf', async () => {
    const data = buildPageData([{ name: 'long', run: await longRun() }], OPTIONS);
    const s = data.charts.find((c) => c.tag === 'loss/current')!.series[0];
    expect(s.kind).toBe('buckets');
    expect(s.n).toBe(200_000);
    expect(s.nonFinite).toBe(11);
    const highs = [...decodeColumn(s.valueA!), ...decodeColumn(s.valueB!)];
    expect(Math.max(...highs.filter(Number.isFinite))).toBe(40);
    const nf = s.nonFiniteBuckets!;
    expect(nf.filter((b) => b[1] === 0).reduce((a, b) => a + b[2], 0)).toBe(10);
    expect(nf.find((b) => b[1] === 2)![3]).toBe(170_001);
    expect(decodeColumn(s.steps).length).toBe(2048);
    expect(data.notes.join(' ')).toMatch(/drawn from 2048 buckets/);
    // statistics still use every point
    expect(data.runs[0].summary.nonFinite).toBe(11);
  });
});
