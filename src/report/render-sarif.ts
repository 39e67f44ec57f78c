import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FindingKind, Severity } from '../detect/finding.js';
import { allFindings, KIND_TITLES, type DiagnosisReport, type ReportFinding, type ToolProblem } from './diagnosis-report.js';
import { oneLine } from './escape.js';
import { TOOL_NAME, toolVersion } from './tool.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', notice: 'note' };

/** The usual severity of each kind; a result carries its own level, so this only describes the rule. */
const DEFAULT_LEVEL: Partial<Record<FindingKind, SarifLevel>> = {
  nan_loss: 'error',
  explosion: 'error',
  constant_loss: 'error',
  nan_weights: 'error',
  inf_weights: 'error',
  zero_weights: 'error',
  flat: 'warning',
  lr_schedule: 'warning',
  overfitting: 'warning',
  zero_weight_group: 'warning',
  crc_error: 'warning',
  damaged: 'warning',
  not_event_file: 'warning',
  step_collapse: 'warning',
};

/** A relative path as a URI reference (segments percent-encoded); an absolute one as a file: URL. */
export function artifactUri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path.split('/').map(encodeURIComponent).join('/');
}

const KINDS = (Object.keys(KIND_TITLES) as FindingKind[]).sort();

function rule(kind: FindingKind) {
  return {
    id: kind,
    name: kind.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()),
    shortDescription: { text: KIND_TITLES[kind] },
    defaultConfiguration: { level: DEFAULT_LEVEL[kind] ?? 'note' },
  };
}

function result(f: ReportFinding, report: DiagnosisReport) {
  const run = report.runs.find((r) => r.run === f.run);
  const file = f.file ?? run?.files[0];
  return {
    ruleId: f.kind,
    ruleIndex: KINDS.indexOf(f.kind),
    level: LEVEL[f.severity],
    kind: 'fail',
    // Viewers short of space show the first sentence: the message comes first, the advice after it.
    message: { text: `${oneLine(f.message)}${f.advice ? ` Try: ${oneLine(f.advice)}` : ''}` },
    ...(file === undefined ? {} : { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(file) } } }] }),
    partialFingerprints: { 'tblensFinding/v1': f.fingerprint },
    properties: {
      run: f.run,
      tag: f.tag,
      stepStart: f.step,
      stepEnd: f.endStep,
      byteOffset: f.offset,
      confidence: f.confidence,
      evidence: f.evidence,
    },
  };
}

function notification(p: ToolProblem, level: SarifLevel) {
  return {
    level,
    message: { text: oneLine(p.path ? `${p.path}: ${p.message}` : p.message) },
    ...(p.path === null ? {} : { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(p.path) } } }] }),
  };
}

function sarifJson(log: unknown): string {
  return `${JSON.stringify(log, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

function driver() {
  return { name: TOOL_NAME, version: toolVersion(), rules: KINDS.map(rule) };
}

/** SARIF 2.1.0: one SARIF run for the whole invocation, one result per finding; tool problems as notifications. */
export function renderSarif(report: DiagnosisReport): string {
  return sarifJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driver() },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: report.problems.map((p) => notification(p, 'warning')) }],
        results: allFindings(report).map((f) => result(f, report)),
      },
    ],
  });
}

/** The log for a run that could not analyse anything (exit 2): no results, the reason as an error notification. */
export function renderSarifFailure(message: string): string {
  return sarifJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driver() },
        invocations: [{ executionSuccessful: false, toolExecutionNotifications: [notification({ path: null, message }, 'error')] }],
        results: [],
      },
    ],
  });
}
