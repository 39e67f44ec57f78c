import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';

/** Too few finite loss points for the trend rules (explosion, flat): say so instead of staying silent. */
export function detectInsufficientData(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run);
  if (!view || view.n >= config.minPoints) return [];
  const s = view.series;
  return [
    {
      kind: 'insufficient_data',
      severity: 'notice',
      run: input.run.name,
      tag: view.tag,
      step: s.steps[0],
      endStep: s.steps[s.length - 1],
      message: `${view.tag} has ${view.n} finite positive point(s) (of ${s.length}); the trend rules (explosion, flat) need at least ${config.minPoints}, so they were skipped.`,
      evidence: { points: view.n, logged: s.length, minPoints: config.minPoints },
      advice: 'Nothing to fix: judge a longer run, or lower minPoints in tblens.config.json if you accept noisier verdicts.',
      confidence: 'high',
    },
  ];
}
