import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FindingKind, Severity } from '../../detect/finding.js';
import { allFindings, KIND_TITLES, type DiagnosisReport, type ReportFinding, type ToolProblem } from '../../analyze/diagnosis-report.js';
import { oneLine } from '../escape.js';
import { kindDescription } from './kind-docs.js';
import { pathUnder, sourceRoot } from './source-root.js';
import { TOOL_NAME, toolVersion } from '../../analyze/tool.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where a reader of the log learns what tblens is (SARIF `toolComponent.informationUri`). */
export const TOOL_INFORMATION_URI = 'https://www.npmjs.com/package/tblens';
/** The uriBaseId every relative artifact URI is relative to; its absolute value is in `originalUriBaseIds`. */
export const SRCROOT = '%SRCROOT%';

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

export interface SarifOptions {
  /** Where the report's relative paths are relative to (default: the working directory). */
  base?: string;
  /** `%SRCROOT%` (default: `sourceRoot()` — `$GITHUB_WORKSPACE`, else the git root, else the working directory). */
  srcRoot?: string;
}

export interface SarifOutput {
  /** The SARIF log. */
  text: string;
  /** Files outside `%SRCROOT%`, written as absolute file: URIs (code scanning cannot link them): worth a warning. */
  outside: string[];
}

/** A relative `/` path as a URI reference, each segment percent-encoded (spaces, `%`, `#`, newlines). */
function relativeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The rules come from the kind list (KIND_TITLES is total over FindingKind), so a new kind gets a rule. */
const KINDS = (Object.keys(KIND_TITLES) as FindingKind[]).sort();

/** SARIF1001: a rule's `name` must differ from its opaque `id`: `nan_loss` → `NanLoss`. */
export function ruleName(kind: string): string {
  return kind.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
}

function rule(kind: FindingKind) {
  const description = kindDescription(kind);
  return {
    id: kind,
    name: ruleName(kind),
    shortDescription: { text: KIND_TITLES[kind] ?? kind },
    fullDescription: { text: description },
    help: {
      text: `${description} Each result's message ends with what to try; the thresholds in effect are in the JSON report's config. See the README, "Diagnosis: what each finding means".`,
    },
    helpUri: TOOL_INFORMATION_URI,
    defaultConfiguration: { level: DEFAULT_LEVEL[kind] ?? 'note' },
  };
}

/** A SARIF region at a 1-based line and column (the column only when known). Shared with lint's renderer. */
export function sarifRegion(line: number, column?: number | null): { startLine: number; startColumn?: number } {
  return { startLine: line, ...(column != null ? { startColumn: column } : {}) };
}

const validPos = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;

/**
 * Every result needs a line for code scanning to place and track it. Event and weights files are
 * binary, so by convention the region is line 1 (the byte offset of damage is in `properties`); a
 * finding about a text file (a config's key) has its own line and column.
 */
function region(f: ReportFinding): { startLine: number; startColumn?: number } {
  return validPos(f.line) ? sarifRegion(f.line, validPos(f.column) ? f.column : null) : sarifRegion(1);
}

function locator(base: string, srcRoot: string, outside: Set<string>) {
  return (path: string) => {
    const abs = resolve(base, path);
    const rel = pathUnder(srcRoot, abs);
    if (rel !== undefined && rel !== '') return { uri: relativeUri(rel), uriBaseId: SRCROOT };
    outside.add(abs);
    return { uri: pathToFileURL(abs).href };
  };
}

type Locate = ReturnType<typeof locator>;

function result(f: ReportFinding, report: DiagnosisReport, locate: Locate, lineHash: string) {
  const run = report.runs.find((r) => r.run === f.run);
  const file = f.file ?? run?.files[0] ?? run?.path;
  return {
    ruleId: f.kind,
    ruleIndex: KINDS.indexOf(f.kind),
    level: LEVEL[f.severity],
    kind: 'fail',
    // Viewers short of space show the first sentence: the message comes first, the advice after it.
    message: { text: `${oneLine(f.message)}${f.advice ? ` Try: ${oneLine(f.advice)}` : ''}` },
    ...(file === undefined ? {} : { locations: [{ physicalLocation: { artifactLocation: locate(file), region: region(f) } }] }),
    // GitHub tracks alerts by primaryLocationLineHash. upload-sarif would hash line 1 of the binary file,
    // the same for every result in it; ours is the finding's own fingerprint (kind, run, tag, steps), in
    // GitHub's `hash:occurrence` form, so it is unique per result and stable across re-runs.
    partialFingerprints: { primaryLocationLineHash: lineHash, 'tblensFinding/v1': f.fingerprint },
    properties: {
      run: f.run,
      tag: f.tag,
      stepStart: f.step,
      stepEnd: f.endStep,
      byteOffset: f.offset,
      confidence: f.confidence,
      evidence: f.evidence,
      ...(f.kind === 'config' ? { rule: f.rule, key: f.key } : {}),
    },
  };
}

/** `fingerprint:n`, n counting equal fingerprints in report order (the report's order is deterministic). */
function lineHashes(findings: ReportFinding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const n = (seen.get(f.fingerprint) ?? 0) + 1;
    seen.set(f.fingerprint, n);
    return `${f.fingerprint}:${n}`;
  });
}

function notification(p: ToolProblem, level: SarifLevel, locate?: Locate) {
  return {
    level,
    message: { text: oneLine(p.path ? `${p.path}: ${p.message}` : p.message) },
    ...(p.path === null || !locate ? {} : { locations: [{ physicalLocation: { artifactLocation: locate(p.path) } }] }),
  };
}

function sarifJson(log: unknown): string {
  return `${JSON.stringify(log, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

function driver() {
  return { name: TOOL_NAME, version: toolVersion(), semanticVersion: toolVersion(), informationUri: TOOL_INFORMATION_URI, rules: KINDS.map(rule) };
}

/** `%SRCROOT%` as SARIF wants it: an absolute file: URI ending in `/`. */
function srcRootUri(srcRoot: string): string {
  const href = pathToFileURL(srcRoot).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one SARIF run for the whole invocation, one result per finding
 * with a line region and a primaryLocationLineHash, URIs relative to `%SRCROOT%`; tool problems as
 * notifications.
 */
export function renderSarif(report: DiagnosisReport, options: SarifOptions = {}): SarifOutput {
  const base = options.base ?? process.cwd();
  const srcRoot = resolve(options.srcRoot ?? sourceRoot());
  const outside = new Set<string>();
  const locate = locator(base, srcRoot, outside);
  const findings = allFindings(report);
  const hashes = lineHashes(findings);
  const results = findings.map((f, i) => result(f, report, locate, hashes[i]));
  const notifications = report.problems.map((p) => notification(p, 'warning', locate));
  const text = sarifJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driver() },
        originalUriBaseIds: { [SRCROOT]: { uri: srcRootUri(srcRoot) } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
      },
    ],
  });
  return { text, outside: [...outside].sort() };
}

/**
 * The log for a run that could not analyse anything (exit 2). SARIF §3.14.23 would leave `results`
 * out, but upload-sarif rejects a run without a `results` array; `executionSuccessful: false` with the
 * reason as an error notification says the empty list is not a clean bill. Code scanning still reads
 * `[]` as "nothing found" and closes open alerts, so workflows skip the upload on exit 2 (README).
 */
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
