import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { detectConstantLoss } from './constant-loss.js';
import { detectLossOutlier } from './loss-outlier.js';
import { fixtureRun, loadRoot, logsOnly, KOHYA_ROOT, mapValues, withSeries } from '../../test/support/detect-fixtures.js';

describe('loss_outlier', () => {
  it('no fixture run has a spike beyond its own noise (batch-1 diffusion loss reaches ~90× its running median)', async () => {
    for (const run of await loadRoot(KOHYA_ROOT))
      expect({ run: run.name, f: detectLossOutlier(logsOnly(run), DEFAULT_CONFIG) }).toEqual({ run: run.name, f: [] });
  });

  it('one injected point at 1500× the run median is found at its step, as a warning (≥ 1000×)', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const med = [...s.values].sort((a, b) => a - b)[s.length >> 1];
    const at = 1234;
    const f = detectLossOutlier(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i === at ? 1500 * med : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f.map((x) => [x.kind, x.severity, x.step, x.evidence.spikes, x.evidence.extremeSpikes])).toEqual([['loss_outlier', 'warning', s.steps[at], 1, 1]]);
    // 200× the median is beyond the noise but not extreme: a notice.
    const g = detectLossOutlier(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i === at ? 200 * med : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(g.map((x) => [x.severity, x.step])).toEqual([['notice', s.steps[at]]]);
  });

  it('a point that is high but within the window’s range is not a spike; rescaling changes nothing', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    for (const k of [0.1, 30])
      expect(
        detectLossOutlier(
          logsOnly(
            withSeries(
              run,
              mapValues(s, (v) => v * k),
            ),
          ),
          DEFAULT_CONFIG,
        ),
      ).toEqual([]);
    const f1 = detectLossOutlier(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i === 900 ? v * 1000 : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    const f30 = detectLossOutlier(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => 30 * (i === 900 ? v * 1000 : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f30.map((f) => [f.severity, f.step, f.message])).toEqual(f1.map((f) => [f.severity, f.step, f.message]));
  });
});

describe('constant_loss', () => {
  it('an exactly constant loss (including ≡ 0) is an error; real runs are not constant', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    for (const value of [0, 0.1]) {
      const f = detectConstantLoss(
        logsOnly(
          withSeries(
            run,
            mapValues(s, () => value),
          ),
        ),
        DEFAULT_CONFIG,
      );
      expect(f.map((x) => [x.kind, x.severity, x.evidence.value])).toEqual([['constant_loss', 'error', value]]);
    }
    for (const r of await loadRoot(KOHYA_ROOT)) expect(detectConstantLoss(logsOnly(r), DEFAULT_CONFIG)).toEqual([]);
  });
});
