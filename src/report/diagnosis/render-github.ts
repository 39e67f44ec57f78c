import { resolve } from 'node:path';
import type { Severity } from '../../detect/finding.js';
import { allFindings, type DiagnosisReport, type ReportFinding } from '../../analyze/diagnosis-report.js';
import { ghData, ghProperty, mdText, oneLine } from '../escape.js';
import { configText, countsText, plural, reportCounts, stepText } from '../format.js';
import { renderMarkdown } from './render-markdown.js';
import { pathUnder } from './source-root.js';

/** GitHub shows at most 10 annotations of each severity per step and drops the rest silently. */
export const ANNOTATIONS_PER_SEVERITY = 10;
/** GitHub refuses a step summary above 1024 KiB and then loses all of it. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', notice: 'notice' };

export interface GithubOptions {
  /** `$GITHUB_WORKSPACE`: annotation paths are made relative to it so they link (default: the working directory). */
  workspace?: string;
  /** Where report paths are relative to (default: the working directory). */
  base?: string;
  /** Whether a step summary will be written, so the overflow line can point to it. */
  summary?: boolean;
}

export interface GithubOutput {
  /** Workflow commands and plain lines for the log. */
  log: string;
}

/** A workspace-relative `/` path, or undefined when the file lies outside the workspace (then it could not link). */
function workspacePath(path: string, base: string, workspace: string): string | undefined {
  const rel = pathUnder(workspace, resolve(base, path));
  return rel === '' ? undefined : rel;
}

/** One workflow command; `line`/`col` (a place in a text file such as a config) only go with a file. Shared with lint's renderer. */
export function annotation(command: string, message: string, props: { file?: string; line?: number | null; col?: number | null; title?: string }): string {
  const p: string[] = [];
  if (props.file !== undefined) {
    p.push(`file=${ghProperty(props.file)}`);
    if (props.line != null) p.push(`line=${props.line}`);
    if (props.line != null && props.col != null) p.push(`col=${props.col}`);
  }
  if (props.title !== undefined) p.push(`title=${ghProperty(props.title)}`);
  return `::${command}${p.length > 0 ? ` ${p.join(',')}` : ''}::${ghData(message)}`;
}

function findingAnnotation(f: ReportFinding, report: DiagnosisReport, base: string, workspace: string): string {
  const run = report.runs.find((r) => r.run === f.run);
  const target = f.file ?? run?.files[0];
  const file = target === undefined ? undefined : workspacePath(target, base, workspace);
  const where = [f.tag, stepText(f), configText(f)].filter(Boolean).join(' ');
  const message = `${oneLine(f.message)}${where ? ` [${where}]` : ''}${f.advice ? ` Try: ${oneLine(f.advice)}` : ''}`;
  return annotation(COMMAND[f.severity], message, { file, line: f.line, col: f.column, title: `${f.title} (${f.kind}) in ${f.run}` });
}

/**
 * Workflow commands, worst first, at most 10 per severity (tool problems count as warnings), then a
 * plain line for whatever GitHub would have dropped, then the totals.
 */
export function renderGithub(report: DiagnosisReport, options: GithubOptions = {}): GithubOutput {
  const base = options.base ?? process.cwd();
  const workspace = options.workspace ?? base;
  const shown: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const dropped: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  const emit = (severity: Severity, line: string) => {
    if (shown[severity] >= ANNOTATIONS_PER_SEVERITY) {
      dropped[severity]++;
      return;
    }
    shown[severity]++;
    lines.push(line);
  };
  const findings = allFindings(report);
  for (const f of findings.filter((x) => x.severity === 'error')) emit('error', findingAnnotation(f, report, base, workspace));
  for (const problem of report.problems) {
    const file = problem.path === null ? undefined : workspacePath(problem.path, base, workspace);
    emit(
      'warning',
      annotation('warning', problem.path ? `${problem.path}: ${problem.message}` : problem.message, { file, title: 'tblens could not read everything' }),
    );
  }
  for (const f of findings.filter((x) => x.severity !== 'error')) emit(f.severity, findingAnnotation(f, report, base, workspace));
  const left = dropped.error + dropped.warning + dropped.notice;
  if (left > 0) {
    const parts = (['error', 'warning', 'notice'] as const).filter((s) => dropped[s] > 0).map((s) => plural(dropped[s], s));
    const where = options.summary ? 'the job summary lists every finding' : 'run with --format text or json for the full list';
    lines.push(`tblens: ${parts.join(', ')} not shown as annotations (GitHub shows at most ${ANNOTATIONS_PER_SEVERITY} per severity per step); ${where}.`);
  }
  const c = reportCounts(report);
  lines.push(`tblens: ${plural(c.runs, 'run')}, ${c.failed} failed · ${countsText(report.counts)}`);
  return { log: `${lines.join('\n')}\n` };
}

/** The Markdown appended to `$GITHUB_STEP_SUMMARY`, sized to what the file can still take this step. */
export function githubSummary(report: DiagnosisReport, existingBytes: number): string {
  // A little headroom: other tools in the same step may append a line or two after us.
  const budget = Math.max(0, STEP_SUMMARY_LIMIT - existingBytes - 1024);
  return budget === 0 ? '' : renderMarkdown(report, { budgetBytes: budget, level: 2 });
}

/** What `check` writes when it cannot analyse anything (exit 2): the annotation and a summary that says why. */
export function githubFailure(message: string): { log: string; summary: string } {
  return {
    log: `${annotation('error', oneLine(message), { title: 'tblens could not analyse the runs' })}\n`,
    summary: `## tblens could not analyse the runs\n\n${mdText(message)}\n\nNo run was checked (exit 2).\n`,
  };
}
