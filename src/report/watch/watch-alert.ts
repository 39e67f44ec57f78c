import type { Finding } from '../../detect/finding.js';
import type { Paint } from '../color.js';
import { reportFinding } from '../../analyze/diagnosis-report.js';
import { termText } from '../escape.js';
import { findingLines } from '../diagnosis/render-text.js';

/**
 * An alert as printed: which run and when, then the finding exactly as `diagnose --verbose` prints it
 * (severity, kind, tag, steps, message, evidence, advice): an alert is printed once, often to a log
 * nobody reads until later, so it carries everything. `clock` is a local HH:MM:SS.
 */
export function alertText(f: Finding, clock: string, p: Paint, base?: string): string {
  const head = `${p.dim(clock)} ${p.bold(termText(f.run))}: ${f.severity === 'error' ? p.red('alert') : p.yellow('alert')}`;
  return [head, ...findingLines(reportFinding(f, base), p, { verbose: true })].join('\n');
}

/**
 * What `--exec` receives on stdin: the finding in the report's JSON form (the same object
 * `diagnose --format json` lists), plus the run directory, as one line of JSON.
 */
export function alertJson(f: Finding, runDir: string, base?: string): string {
  return `${JSON.stringify({ ...reportFinding(f, base), runDir })}\n`;
}

/** Environment for `--exec`, so a one-line shell command needs no JSON parser. */
export function alertEnv(f: Finding, runDir: string): Record<string, string> {
  return {
    TBLENS_RUN: f.run,
    TBLENS_RUN_DIR: runDir,
    TBLENS_KIND: f.kind,
    TBLENS_SEVERITY: f.severity,
    TBLENS_STEP: f.step === null ? '' : String(f.step),
    TBLENS_TAG: f.tag ?? '',
    TBLENS_MESSAGE: f.message,
  };
}
