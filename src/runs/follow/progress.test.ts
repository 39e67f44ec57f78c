import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newLogdirFollower, pollLogdir } from './follow-logdir.js';
import { hparamsMaxSteps, runProgress } from './progress.js';

const ADAMW = join(
  import.meta.dirname,
  '../../../fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0',
);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tblens-progress-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads step, trend, rate and ETA of a partly written real run from its own wall times', async () => {
  mkdirSync(join(dir, 'r'));
  writeFileSync(join(dir, 'r', 'events.out.tfevents.1795960866.vm.5635.0'), readFileSync(ADAMW).subarray(0, 250_000));
  const f = newLogdirFollower(dir);
  await pollLogdir(f);
  const run = f.runs.get('r')!;
  const loss = run.assembly.tags.get('loss/current')!.builder!;
  const p = runProgress(run, 3000);
  expect(p.step).toBe(loss.steps[loss.length - 1]);
  expect(p.step).toBeGreaterThan(1000);
  expect(p.lossTag).toBe('loss/average');
  const avg = run.assembly.tags.get('loss/average')!.builder!;
  const m = avg.length;
  const mean = (from: number, to: number) => Array.from(avg.values.subarray(from, to)).reduce((a, x) => a + x, 0) / (to - from);
  expect(p.lossRecent).toBeCloseTo(mean(m - 100, m), 12);
  expect(p.lossBefore).toBeCloseTo(mean(m - 200, m - 100), 12);
  const n = loss.length;
  const rate = (loss.steps[n - 1] - loss.steps[n - 401]) / (loss.wallTimes[n - 1] - loss.wallTimes[n - 401]);
  expect(p.stepsPerSecond).toBeCloseTo(rate, 9);
  expect(p.etaSeconds).toBeCloseTo((3000 - p.step!) / rate, 6);
  expect(runProgress(run, null).etaSeconds).toBeNull();
});

it('takes max_train_steps from hparams as a number or its text', () => {
  expect(hparamsMaxSteps({ max_train_steps: 1600 })).toBe(1600);
  expect(hparamsMaxSteps({ max_train_steps: '1600' })).toBe(1600);
  expect(hparamsMaxSteps({ max_train_steps: null, learning_rate: 1e-4 })).toBeNull();
});
