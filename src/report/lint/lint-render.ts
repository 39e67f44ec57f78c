import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../../detect/finding.js';
import { FORMAT_LABEL } from '../../lint/document.js';
import type { LintFinding } from '../../lint/finding.js';
import type { LintProblem, LintReport } from '../../lint/lint.js';
import { LINT_RULES, ruleInfo } from '../../lint/rule-catalogue.js';
import { oneLine, termText } from '../escape.js';
import { fileLineCol, plural } from '../format.js';
import { sarifRegion } from '../diagnosis/render-sarif.js';
import { annotation as annotationLine, ANNOTATIONS_PER_SEVERITY } from '../diagnosis/render-github.js';
import { TOOL_NAME, toolVersion } from '../../analyze/tool.js';

// Lint's own renderers. The annotation line, the SARIF region and `file:line:col` are the diagnosis
// renderers' (config findings of diagnose/check print the same); the SARIF driver, URI and
// workspace-path code are still lint's own.

const where = fileLineCol;

function countsLine(report: LintReport): string {
  const c = report.counts;
  const parts = [`${plural(report.files.length, 'config')} linted`, plural(c.error, 'error'), plural(c.warning, 'warning'), plural(c.notice, 'notice')];
  if (report.problems.length) parts.push(`${plural(report.problems.length, 'file')} could not be read`);
  if (report.skipped.length) parts.push(`${report.skipped.length} skipped (not configs)`);
  return parts.join(', ');
}

/** file:line:col: severity rule: message, then the line itself with a caret, then expected / why / advice. */
export function renderLintText(report: LintReport): string {
  const out: string[] = [];
  for (const p of report.problems) out.push(`${termText(where(p.file, p.line, p.column))}: error: ${termText(p.message)}`);
  for (const f of report.files) {
    for (const x of f.findings) {
      out.push(`${termText(where(x.file, x.line, x.column))}: ${x.severity} ${x.rule}: ${termText(x.message)}`);
      const text = x.line !== null ? f.lines[x.line - 1] : undefined;
      if (text !== undefined) {
        const gutter = String(x.line).padStart(5);
        const shown = termText(text.length > 160 ? `${text.slice(0, 157)}...` : text);
        out.push(`${gutter} | ${shown}`);
        if (x.column !== null && x.column <= 160) out.push(`${' '.repeat(gutter.length)} | ${' '.repeat(x.column - 1)}^`);
      } else if (x.key) out.push(`      (${termText(x.key)} in the ${FORMAT_LABEL[f.format]})`);
      out.push(`      expected: ${termText(x.expected)}`, `      why: ${termText(x.why)}`, `      advice: ${termText(x.advice)}`);
    }
  }
  for (const s of report.skipped) out.push(`skipped ${termText(s.file)}: ${termText(s.reason)}`);
  out.push(countsLine(report));
  return `${out.join('\n')}\n`;
}

/** JSON cannot hold NaN/±Inf: they become strings, as in every tblens JSON. */
export function renderLintJson(report: LintReport): string {
  const { files, problems, skipped, counts } = report;
  const doc = { tool: TOOL_NAME, version: toolVersion(), counts, files: files.map(({ lines: _lines, ...f }) => f), problems, skipped };
  return `${JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', notice: 'note' };

function uri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path.split(sep).join('/').split('/').map(encodeURIComponent).join('/');
}

function physical(file: string, line: number | null, column: number | null) {
  return { physicalLocation: { artifactLocation: { uri: uri(file) }, ...(line !== null ? { region: sarifRegion(line, column) } : {}) } };
}

/** SARIF 2.1.0: one result per finding with its region (startLine/startColumn); unreadable files as error notifications. */
export function renderLintSarif(report: LintReport): string {
  const rules = LINT_RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    help: { text: `${r.help} (Severity: ${r.severity}. Source: ${r.source}.)` },
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultLevel] },
    properties: { tags: ['training-config'] },
  }));
  const results = report.files.flatMap((f) =>
    f.findings.map((x: LintFinding) => ({
      ruleId: x.rule,
      ruleIndex: LINT_RULES.findIndex((r) => r.id === x.rule),
      level: SARIF_LEVEL[x.severity],
      message: { text: `${oneLine(x.message)}. Expected: ${oneLine(x.expected)}. Try: ${oneLine(x.advice)}` },
      locations: [physical(x.file, x.line, x.column)],
      properties: { key: x.key, format: f.format, seen: x.seen, why: x.why },
    })),
  );
  const notifications = report.problems.map((p: LintProblem) => ({
    level: 'error',
    message: { text: oneLine(`${p.file}: ${p.message}`) },
    locations: [physical(p.file, p.line, p.column)],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: toolVersion(), rules } },
        invocations: [{ executionSuccessful: report.problems.length === 0, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

function workspaceFile(path: string, workspace: string): string | undefined {
  const rel = relative(workspace, resolve(path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** GitHub workflow commands on the config line, at most 10 per severity (GitHub drops the rest), then the totals. */
export function renderLintGithub(report: LintReport, options: { workspace?: string } = {}): string {
  const workspace = options.workspace ?? process.cwd();
  const shown: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  let dropped = 0;
  const emit = (severity: Severity, line: string) => {
    if (shown[severity] >= ANNOTATIONS_PER_SEVERITY) return void dropped++;
    shown[severity]++;
    lines.push(line);
  };
  for (const p of report.problems)
    emit(
      'error',
      annotationLine('error', termText(p.message), {
        file: workspaceFile(p.file, workspace),
        line: p.line,
        col: p.column,
        title: `tblens lint could not read ${p.file}`,
      }),
    );
  const findings = report.files.flatMap((f) => f.findings);
  for (const severity of ['error', 'warning', 'notice'] as const) {
    for (const x of findings.filter((f) => f.severity === severity)) {
      // termText, not just oneLine: the Actions log renders ANSI sequences a key could carry.
      emit(
        severity,
        annotationLine(severity, `${termText(x.message)}. Try: ${termText(x.advice)}`, {
          file: workspaceFile(x.file, workspace),
          line: x.line,
          col: x.column,
          title: `${ruleInfo(x.rule).title} (${x.rule})`,
        }),
      );
    }
  }
  if (dropped > 0)
    lines.push(
      `tblens: ${plural(dropped, 'more finding')} not annotated (GitHub shows ${ANNOTATIONS_PER_SEVERITY} per severity); run with --format text for all`,
    );
  lines.push(`tblens lint: ${countsLine(report)}`);
  return `${lines.join('\n')}\n`;
}
