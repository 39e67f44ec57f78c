import { describe, expect, it } from 'vitest';
import { seriesFromArrays } from '../runs/series.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectOverfitting } from './overfitting.js';
import { fixtureRun, loadRoot, logsOnly, withSeries } from '../../test/support/detect-fixtures.js';

const epochs = Array.from({ length: 15 }, (_, i) => i + 1);

describe('overfitting', () => {
  it('a real Keras run (guildai sample) whose val_loss rose after epoch 4 while its loss fell: a warning at the best epoch', async () => {
    const run = (await loadRoot('fixtures/wild')).find((r) => r.name.endsWith('model-proxies/logs'))!;
    const f = detectOverfitting(logsOnly(run), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.tag])).toEqual([['overfitting', 'warning', 'val_loss']]);
    const val = run.scalars.get('val_loss')!;
    const best = val.values.indexOf(Math.min(...val.values));
    expect(f[0].step).toBe(val.steps[best]);
  });

  it('kohya validation tags: a rise in the last two epochs over the best is a warning; a falling curve is not', async () => {
    const run = await fixtureRun('sweep/adamw');
    const rising = epochs.map((e) => 0.1 - 0.004 * Math.min(e, 10) + (e > 13 ? 0.01 * (e - 13) : 0));
    const f = detectOverfitting(logsOnly(withSeries(run, seriesFromArrays('loss/validation/epoch_average', epochs, rising))), DEFAULT_CONFIG);
    expect(f.map((x) => [x.severity, x.step, x.endStep, x.evidence.axis])).toEqual([['warning', 10, 15, 'epoch']]);
    const falling = epochs.map((e) => 0.1 - 0.003 * e);
    expect(detectOverfitting(logsOnly(withSeries(run, seriesFromArrays('loss/validation/epoch_average', epochs, falling))), DEFAULT_CONFIG)).toEqual([]);
  });

  it('no validation tags: nothing (the check is reported as skipped by diagnoseRunDetailed)', async () => {
    expect(detectOverfitting(logsOnly(await fixtureRun('sweep/adamw')), DEFAULT_CONFIG)).toEqual([]);
  });

  it('validation and training loss rising together is divergence, not overfitting', async () => {
    const run = await fixtureRun('sweep/adamw');
    const val = epochs.map((e) => (e < 10 ? 0.1 - 0.003 * e : 0.07 + 0.02 * (e - 10)));
    const train = epochs.map((e) => (e < 10 ? 0.1 - 0.003 * e : 0.07 + 0.03 * (e - 10)));
    const r = withSeries(withSeries(run, seriesFromArrays('loss/validation/epoch_average', epochs, val)), seriesFromArrays('loss/epoch', epochs, train));
    expect(detectOverfitting(logsOnly(r), DEFAULT_CONFIG)).toEqual([]);
  });
});
