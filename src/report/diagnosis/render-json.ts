import { failureReport, reportJson, type DiagnosisReport } from '../../analyze/diagnosis-report.js';

/** The versioned report as pretty-printed JSON (see diagnosis-report.ts for the shape). */
export function renderJson(report: DiagnosisReport): string {
  return reportJson(report);
}

/** Exit 2: a report with `error` set and no runs, so `-o r.json` is never an empty file a parser chokes on. */
export function renderJsonFailure(message: string): string {
  return reportJson(failureReport(message));
}
