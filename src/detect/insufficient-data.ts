import type { DetectConfig } from './config.js';
import { SPARSE } from './explosion.js';
import { FLAT_SPARSE_MIN } from './flat.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';

/**
 * Too few finite loss points for the trend rules: say which rule was skipped or narrowed, and the
 * count, instead of staying silent. Below `minPoints` flat is skipped and explosion is judged by
 * ranks only (a rise running to the end, explosion.ts SPARSE) and flat on its independent evidence only
 * (flat.ts FLAT_SPARSE_MIN); below those counts they are skipped.
 */
export function detectInsufficientData(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view || view.n >= config.minPoints) return [];
  const s = view.series;
  const ranksOnly = view.n >= SPARSE.minPoints;
  const flatText =
    view.n >= Math.min(config.minPoints, FLAT_SPARSE_MIN)
      ? `flat needs at least ${config.minPoints} to judge the loss, so only independent evidence (learning rate, weights) was judged`
      : `flat needs at least ${FLAT_SPARSE_MIN} even with independent evidence, so it was skipped`;
  const skipped = [...(ranksOnly ? [] : ['explosion']), view.n >= Math.min(config.minPoints, FLAT_SPARSE_MIN) ? 'flat (loss)' : 'flat'];
  const explosionText = ranksOnly
    ? `explosion was judged on ranks only (a rise running to the end of the log; one the run recovered from is not judged below ${config.minPoints} points)`
    : `explosion needs at least ${SPARSE.minPoints} even for its rank test`;
  return [
    {
      kind: 'insufficient_data',
      severity: 'notice',
      run: input.run.name,
      tag: view.tag,
      step: s.steps[0],
      endStep: s.steps[s.length - 1],
      message: `${view.tag} has ${view.n} finite positive point(s) (of ${s.length}): ${flatText}; ${explosionText}.`,
      evidence: {
        points: view.n,
        logged: s.length,
        minPoints: config.minPoints,
        sparseMinPoints: SPARSE.minPoints,
        skippedRules: skipped.join(','),
        explosionByRanks: ranksOnly,
      },
      advice:
        'Log more often (ai-toolkit: logging.log_every; every step is cheap), judge a longer run, or lower minPoints in tblens.config.json if you accept noisier verdicts.',
      confidence: 'high',
    },
  ];
}
