import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { detectExplosion, scanRises } from './explosion.js';
import { blockLength } from './blocks.js';
import type { Finding } from './finding.js';
import { lossView } from './loss-view.js';
import { fixtureRun, loadRoot, logsOnly, KOHYA_ROOT, mapValues, readLabels, shuffled, withSeries } from './test-fixtures.js';
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
        const scaled = withSeries(run, mapValues(loss(run), (v) => v * k));
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
      const f = detectExplosion(logsOnly(withSeries(run, mapValues(s, (v, i) => (i >= at ? v * 10 : v)))), DEFAULT_CONFIG);
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
      const f = detectExplosion(logsOnly(withSeries(run, mapValues(s, (v, i) => (i >= at && i < at + 150 ? v * 10 : v)))), DEFAULT_CONFIG);
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
