import { reportJson, type DiagnosisReport } from './diagnosis-report.js';

/** The versioned report as pretty-printed JSON (see diagnosis-report.ts for the shape). */
export function renderJson(report: DiagnosisReport): string {
  return reportJson(report);
}
