import type { DetectConfig } from '../detect/config.js';
import { diagnoseRunDetailed } from '../detect/diagnose.js';
import type { Finding } from '../detect/finding.js';
import { assembleReport, reportStats, type RunInput } from '../report/diagnosis-report.js';
import { renderText } from '../report/render-text.js';
import type { RunIdentity } from '../runs/identity.js';
import type { Run } from '../runs/types.js';
import type { WeightsSummary } from '../runs/weights/summary.js';

/** A finished run's full diagnosis (every kind), and its text as `diagnose` renders one run. */
export function runSummary(run: Run, identity: RunIdentity, weights: WeightsSummary[], config: DetectConfig, color: boolean): { findings: Finding[]; text: string } {
  const { findings, checks } = diagnoseRunDetailed({ run, identity, weights }, config);
  const input: RunInput = {
    name: run.name,
    dir: run.dir,
    files: run.files.map((f) => f.path),
    identity,
    weights,
    weightsNote: weights.length === 0 ? 'no weights file linked yet' : null,
    stats: reportStats(run),
    findings,
    checks,
  };
  const report = assembleReport({ config: config as unknown as Record<string, unknown>, runs: [input], problems: [] });
  return { findings, text: renderText(report, { color }) };
}
