import { analyze } from '../report/analyze.js';
import type { DiagnosisReport } from '../report/diagnosis-report.js';
import { loadConfigFile } from './config-file.js';

export interface AnalysisArgs {
  paths: string[];
  weights?: string[];
  config?: string;
}

/** What `diagnose` and `check` share: config file, then the analysis. A failure is a one-line reason for exit 2. */
export async function runAnalysis(args: AnalysisArgs): Promise<{ ok: true; report: DiagnosisReport } | { ok: false; error: string }> {
  const config = await loadConfigFile(args.config);
  if (!config.ok) return config;
  return analyze(args.paths, { weightsDirs: args.weights ?? [], config: config.config });
}
