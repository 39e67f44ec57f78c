// Recall and false alarms of the detectors over the labelled kohya fixture runs (labels.json).
// The same evaluation is repeated by the maintainers on runs made the same way with another
// concept, seed, dims, learning rates and step counts, so nothing here is tuned to one file.
import { describe, expect, it } from 'vitest';
import { evaluateLabelled, formatScores, loadCases, overSevere, score, type Evaluation } from '../../test/support/evaluation.js';
import { DEFAULT_CONFIG } from './config.js';
import { diagnoseRun } from './diagnose.js';
import { HARD_ROOT, hasShared, KOHYA_ROOT, SHARED_KOHYA_ROOT, thinned, TRAINERS_ROOT } from '../../test/support/detect-fixtures.js';

const MUST_BE_COMPLETE = ['explosion', 'nan_loss', 'nan_weights', 'inf_weights', 'zero_weights', 'truncated', 'crc_error', 'empty', 'restart'];

function check(e: Evaluation): void {
  for (const s of e.scores) {
    if (s.labelled === 0) continue;
    if (MUST_BE_COMPLETE.includes(s.kind)) expect({ kind: s.kind, missed: s.missed }).toEqual({ kind: s.kind, missed: [] });
    if (s.kind === 'flat') expect(s.found / s.labelled).toBeGreaterThanOrEqual(0.9);
    expect({ kind: s.kind, onsetErrors: s.onsetErrors }).toEqual({ kind: s.kind, onsetErrors: [] });
    // No finding of a labelled kind at warning/error on a run that is not labelled with it.
    expect({ kind: s.kind, falseSerious: s.falseSerious }).toEqual({ kind: s.kind, falseSerious: [] });
  }
  expect(e.healthyAlarms).toEqual([]);
}

/**
 * Evaluates a labelled root, prints its scores and holds it to the bar (`check`) with at least `minCases`
 * runs; `allPresent` also requires every labelled run to be there (the repo's kohya copy lacks sweep-big).
 */
async function meetsBar(root: string, minCases: number, allPresent = true): Promise<Evaluation> {
  const e = await evaluateLabelled(root);
  console.log(formatScores(e, e.cases.length));
  if (allPresent) expect(e.missingRuns).toEqual([]);
  expect(e.cases.length).toBeGreaterThanOrEqual(minCases);
  check(e);
  return e;
}

describe('evaluation over labels.json', () => {
  it('fixtures/kohya: full recall on hard kinds, ≥ 90 % on flat, onsets within 5 %, no alarm on healthy runs', async () => {
    await meetsBar(KOHYA_ROOT, 14, false);
  });

  it('fixtures/hard (fp16 skips, divergence into NaN, a crash at the first NaN, stuck Prodigy, v0.10 validation, key norms flat at the weight-decay equilibrium / growing, GUI project with two runs): same bar, and no label exceeds its max severity', async () => {
    const e = await meetsBar(HARD_ROOT, 5);
    expect(overSevere(e.cases)).toEqual([]);
  });

  it('fixtures/trainers (OneTrainer, ai-toolkit TensorBoard and SQLite, SimpleTuner, diffusers dreambooth/text_to_image): same bar', async () => {
    await meetsBar(TRAINERS_ROOT, 22);
  });

  it('fixtures/trainers logged every 10 steps (each series thinned to steps ≡ 0 mod 10): same bar', async () => {
    const { cases } = await loadCases(TRAINERS_ROOT);
    // OneTrainer logs every step and raises at the first NaN: its NaN run thinned to every 10th step
    // keeps no 200-point window before the crash, so that one shape is judged at full density only.
    const thin = cases
      .filter((c) => !(c.key === 'onetrainer/nan'))
      .map((c) => {
        const run = thinned(c.run, 10);
        const input = { ...c.input, run };
        return { ...c, run, input, findings: diagnoseRun(input, DEFAULT_CONFIG) };
      });
    const e = { cases: thin, missingRuns: [], ...score(thin) };
    console.log(formatScores(e, thin.length));
    expect(thin.length).toBeGreaterThanOrEqual(21);
    check(e);
  });

  it.skipIf(!hasShared(SHARED_KOHYA_ROOT))('shared fixtures (adds the 12 sweep-big runs): same bar', async () => {
    await meetsBar(SHARED_KOHYA_ROOT, 0);
  });
});
