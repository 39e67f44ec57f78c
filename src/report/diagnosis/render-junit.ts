import type { FindingKind } from '../../detect/finding.js';
import type { DiagnosisReport, FailLevel, ReportFinding, ReportRun } from '../../analyze/diagnosis-report.js';
import { xmlAttr, xmlText } from '../escape.js';
import { configText, fileLineCol, fmtEvidence, stepText } from '../format.js';

export interface JunitOptions {
  /** Warnings become `<failure>` only with `--fail-on warning`, matching the exit code. */
  failOn?: FailLevel;
}

interface Case {
  name: string;
  kind: string;
  findings: ReportFinding[];
  skipped?: string;
  error?: string;
}

function body(f: ReportFinding): string {
  const where = [f.tag, stepText(f), configText(f)].filter(Boolean).join(' ');
  const lines = [`${f.severity.toUpperCase()} ${f.kind}${where ? ` ${where}` : ''}: ${f.message}`];
  for (const [k, v] of Object.entries(f.evidence)) lines.push(`  ${k} = ${fmtEvidence(v)}`);
  lines.push(`  confidence = ${f.confidence}`);
  if (f.file !== null) lines.push(`  file = ${fileLineCol(f.file, f.line, f.column)}${f.offset !== null ? ` (byte ${f.offset})` : ''}`);
  if (f.advice) lines.push(`Try: ${f.advice}`);
  return lines.join('\n');
}

function casesFor(run: ReportRun, report: DiagnosisReport): Case[] {
  const groups = new Map<string, Case>();
  for (const f of run.findings) {
    // A config finding is its own case, named by rule and file:line, so a CI report points at the line to edit.
    const key =
      f.kind === 'config' ? `config ${f.rule ?? ''} ${f.file === null ? '' : fileLineCol(f.file, f.line, f.column)}`.trim() : `${f.kind} ${f.tag ?? ''}`.trim();
    const c = groups.get(key) ?? { name: key, kind: f.kind, findings: [] };
    c.findings.push(f);
    groups.set(key, c);
  }
  const cases = [...groups.values()];
  const passed = report.checksPassed.find((c) => c.run === run.run)?.kinds ?? [];
  for (const kind of passed) cases.push({ name: kind, kind, findings: [] });
  for (const s of report.checksSkipped) if (s.run === run.run) cases.push({ name: s.kind, kind: s.kind as FindingKind, findings: [], skipped: s.reason });
  return cases.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function failing(c: Case, failOn: FailLevel): ReportFinding[] {
  return c.findings.filter((f) => f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning'));
}

function caseXml(c: Case, failOn: FailLevel): string {
  const open = `    <testcase classname="${xmlAttr(`tblens.${c.kind}`)}" name="${xmlAttr(c.name)}"`;
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${xmlAttr(c.skipped)}"/>\n    </testcase>`;
  if (c.error !== undefined) return `${open}>\n      <error type="tblens" message="${xmlAttr(c.error)}"/>\n    </testcase>`;
  if (c.findings.length === 0) return `${open}/>`;
  const fail = failing(c, failOn);
  const parts: string[] = [];
  if (fail.length > 0) {
    const first = fail[0];
    parts.push(`      <failure type="${xmlAttr(c.kind)}" message="${xmlAttr(first.message)}">${xmlText(fail.map(body).join('\n\n'))}</failure>`);
  }
  const rest = c.findings.filter((f) => !fail.includes(f));
  if (rest.length > 0) parts.push(`      <system-out>${xmlText(rest.map(body).join('\n\n'))}</system-out>`);
  return `${open}>\n${parts.join('\n')}\n    </testcase>`;
}

/** XML cannot hold NUL and most C0 controls: xmlAttr drops them. What a name lost is kept here. */
function lostCharacters(name: string): boolean {
  return xmlText(name) !== name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `tblens.originalName` (the suite's own name) and `tblens.originalName.<case>` properties, as JSON
 * string literals (`"a\u0000b"`), for every name that lost characters XML cannot carry; the xunit
 * schema gives `<testcase>` no properties of its own, so the suite holds them.
 */
function originalNames(suiteName: string, cases: Case[]): [string, string][] {
  const props: [string, string][] = [];
  if (lostCharacters(suiteName)) props.push(['tblens.originalName', JSON.stringify(suiteName)]);
  for (const c of cases) if (lostCharacters(c.name)) props.push([`tblens.originalName.${c.name}`, JSON.stringify(c.name)]);
  return props;
}

function propertiesXml(props: [string, string][]): string | null {
  if (props.length === 0) return null;
  return `    <properties>\n${props.map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`).join('\n')}\n    </properties>`;
}

function runProperties(run: ReportRun): [string, string][] {
  const props: [string, string][] = [['logdir', run.path]];
  for (const [k, v] of Object.entries(run.identity)) {
    if (v === null || v === undefined) continue;
    if (k === 'optimizer' && typeof v === 'object') props.push(['optimizer', (v as { raw: string }).raw]);
    else if (typeof v !== 'object') props.push([k, String(v)]);
    else if (Array.isArray(v)) props.push([k, v.join(',')]);
  }
  run.weights.forEach((w, i) => props.push([`weights${i === 0 ? '' : `.${i}`}`, w.path]));
  return props;
}

/** `<testsuites>` carries no `skipped` count: the Jenkins xunit schema (junit-10.xsd) rejects the attribute. */
function document(suites: { xml: string; tests: number; failures: number; errors: number; skipped: number }[]): string {
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((a, s) => a + s[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tblens" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(name: string, cases: Case[], failOn: FailLevel, ownProps: [string, string][]) {
  const props = propertiesXml([...ownProps, ...originalNames(name, cases)]);
  const failures = cases.filter((c) => c.skipped === undefined && c.error === undefined && failing(c, failOn).length > 0).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const head = `  <testsuite name="${xmlAttr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`;
  const xml = [head, ...(props ? [props] : []), ...cases.map((c) => caseXml(c, failOn)), '  </testsuite>'].join('\n');
  return { xml, tests: cases.length, failures, errors, skipped };
}

/**
 * JUnit XML, valid against the Jenkins xunit plugin's junit-10.xsd: a testsuite per run, a testcase per check (passes visible), errors
 * as `<failure>`, warnings as `<failure>` only with failOn warning, tool problems as `<error>`.
 */
export function renderJunit(report: DiagnosisReport, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? 'error';
  const suites = report.runs.map((run) => suite(run.run, casesFor(run, report), failOn, runProperties(run)));
  if (report.problems.length > 0) {
    const cases = report.problems.map((p) => ({
      name: p.path ?? 'tblens',
      kind: 'input',
      findings: [],
      error: p.path ? `${p.path}: ${p.message}` : p.message,
    }));
    suites.push(suite('tblens', cases, failOn, []));
  }
  return document(suites);
}

/** The document for a run that could not analyse anything (exit 2): one `<error>`. */
export function renderJunitFailure(message: string): string {
  return document([suite('tblens', [{ name: 'tblens', kind: 'input', findings: [], error: message }], 'error', [])]);
}
