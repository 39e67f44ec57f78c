import type { DetectConfig } from '../detect/config.js';
import type { Finding } from '../detect/finding.js';
import { analyzeRun } from '../analyze/analyze.js';
import { assembleReport } from '../analyze/diagnosis-report.js';
import { renderText } from '../report/diagnosis/render-text.js';
import type { RunIdentity } from '../identity/identity.js';
import type { Run } from '../runs/types.js';
import type { WeightsSummary } from '../weights/summary.js';

/**
 * A finished run's full diagnosis (every kind, its own config's lint included: the same `analyzeRun` as
 * `diagnose`), and its text as `diagnose --verbose` renders one run (evidence included, as in alerts).
 */
export async function runSummary(
  run: Run,
  identity: RunIdentity,
  weights: WeightsSummary[],
  config: DetectConfig,
  color: boolean,
): Promise<{ findings: Finding[]; text: string }> {
  const input = await analyzeRun(run, { identity, weights, weightsNote: weights.length === 0 ? 'no weights file linked yet' : null, config });
  const report = assembleReport({ config: config as unknown as Record<string, unknown>, runs: [input], problems: [] });
  return { findings: input.findings, text: renderText(report, { color, verbose: true }) };
}
