import type { Severity } from '../../detect/finding.js';
import { allFindings, type DiagnosisReport, type ReportFinding, type ReportRun } from '../../analyze/diagnosis-report.js';
import { mdCode, mdText } from '../escape.js';
import { configText, countsText, findingFile, fmtEvidence, fmtNum, identityParts, reportCounts, stepText, verdict } from '../format.js';
import { sparkline } from '../../analyze/sparkline.js';

export interface MarkdownOptions {
  /** Hard size limit in UTF-8 bytes (GitHub drops a step summary above 1024 KiB). */
  budgetBytes?: number;
  /** Heading level of the title (2 → `##`). */
  level?: number;
}

const ICON: Record<Severity, string> = { error: '❌ error', warning: '⚠️ warning', notice: 'ℹ️ notice' };
const VERDICT = { failed: '❌ failed', warnings: '⚠️ warnings', notes: '✅ ok (notices)', healthy: '✅ ok', not_judged: '❔ not judged' } as const;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function runRow(run: ReportRun): string {
  const st = run.stats;
  const l = st.lossProfile;
  const spark = l && l.points > 0 ? sparkline(l) : '';
  const loss = st.lossLast !== null ? `${fmtNum(st.lossLast)} (min ${fmtNum(st.lossMin)}, max ${fmtNum(st.lossMax)})` : '–';
  const id = identityParts(run.identity).slice(0, 3).join(' · ');
  const cells = [
    mdCode(run.run),
    VERDICT[verdict(run)],
    spark ? mdCode(spark) : '',
    loss,
    fmtNum(st.lastStep),
    id ? mdText(id) : '–',
    String(st.lossNaN + st.lossInf),
    String(st.restarts),
    String(st.damagedRecords),
  ];
  return `| ${cells.join(' | ')} |`;
}

function findingRow(f: ReportFinding): string {
  const cells = [
    ICON[f.severity],
    mdCode(f.kind),
    mdCode(f.run),
    f.tag === null ? (f.kind === 'config' ? mdCode(configText(f)) : '') : mdCode(f.tag),
    stepText(f),
    mdText(f.message),
  ];
  return `| ${cells.join(' | ')} |`;
}

function details(f: ReportFinding): string {
  const ev = Object.entries(f.evidence).map(([k, v]) => `- ${mdText(k)}: ${mdText(fmtEvidence(v))}`);
  const where = f.file === null ? [] : [`- file: ${mdText(findingFile(f)!)}`];
  return [
    `<details><summary>${ICON[f.severity]} ${mdText(f.kind)} · ${mdText(f.run)} ${mdText(stepText(f))}</summary>`,
    '',
    mdText(f.message),
    '',
    ...ev,
    `- confidence: ${f.confidence}`,
    ...where,
    '',
    `**Try:** ${mdText(f.advice)}`,
    '',
    '</details>',
    '',
  ].join('\n');
}

/**
 * Runs that passed the same checks share one line (a sweep's runs usually do), so the list does not
 * repeat every kind for every run: `- nan_loss, explosion, …: all 6 runs` or `…: run-a, run-b`.
 */
function passedGroups(report: DiagnosisReport): string[] {
  const groups = new Map<string, string[]>();
  for (const cp of report.checksPassed) {
    const key = cp.kinds.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), cp.run]);
  }
  const all = report.checksPassed.length;
  return [...groups].map(([kinds, runs]) => {
    const who = runs.length === all && all > 1 ? `all ${all} runs` : runs.map(mdCode).join(', ');
    return `- ${kinds ? mdText(kinds) : '(none)'}: ${who}`;
  });
}

/**
 * The report as GitHub-flavoured Markdown: headline with counts, a per-run table, a findings table,
 * evidence in `<details>`, checks passed and tool problems. Within a byte budget, evidence goes
 * first, then the checks list, then findings rows from the least severe end; the run table stays.
 */
export function renderMarkdown(report: DiagnosisReport, options: MarkdownOptions = {}): string {
  const h = '#'.repeat(options.level ?? 2);
  const budget = options.budgetBytes ?? Infinity;
  const c = reportCounts(report);
  const head = [
    `${h} tblens: ${c.failed} of ${c.runs} run${c.runs === 1 ? '' : 's'} failed · ${countsText(report.counts)}`,
    '',
    '| run | verdict | loss | last (min, max) | steps | identity | NaN/Inf | restarts | damaged records |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.runs.map(runRow),
    '',
    '',
  ].join('\n');
  const problems =
    report.problems.length === 0
      ? ''
      : [`${h}# Problems`, '', ...report.problems.map((p) => `- ${p.path ? `${mdCode(p.path)}: ` : ''}${mdText(p.message)}`), ''].join('\n');
  const findings = allFindings(report);
  const tableHead =
    findings.length === 0
      ? ''
      : [`${h}# Findings`, '', '| severity | kind | run | tag (setting) | steps | message |', '| --- | --- | --- | --- | --- | --- |', ''].join('\n');
  const rows = findings.map((f) => `${findingRow(f)}\n`);
  const evidence = findings.map(details);
  // The blank line first: after `</details>` CommonMark is still inside the HTML block until one comes.
  const checks = [
    '',
    `${h}# Checks passed`,
    '',
    ...passedGroups(report),
    ...(report.checksSkipped.length > 0
      ? ['', `Not applicable: ${report.checksSkipped.map((s) => `${mdCode(s.run)} ${s.kind} (${mdText(s.reason)})`).join('; ')}`]
      : []),
    '',
  ].join('\n');

  let used = bytes(head) + bytes(problems) + bytes(tableHead);
  const keptRows: string[] = [];
  // Room for the "rows left out" line, so adding it can never break the budget.
  const reserve = 200;
  for (const r of rows) {
    if (used + bytes(r) + reserve > budget) break;
    keptRows.push(r);
    used += bytes(r);
  }
  const omittedRows = rows.length - keptRows.length;
  const omitted =
    omittedRows > 0
      ? `\n_${omittedRows} more finding${omittedRows === 1 ? '' : 's'} left out to stay within the summary size limit; see the JSON output (\`--format json\`)._\n`
      : '';
  used += bytes(omitted) + 1;
  let checksPart = '';
  if (omittedRows === 0 && used + bytes(checks) <= budget) {
    checksPart = checks;
    used += bytes(checks);
  }
  const keptDetails: string[] = [];
  if (omittedRows === 0) {
    for (const d of evidence) {
      if (used + bytes(d) + reserve > budget) break;
      keptDetails.push(d);
      used += bytes(d);
    }
  }
  const detailNote =
    keptDetails.length < evidence.length && omittedRows === 0
      ? `_Evidence of ${evidence.length - keptDetails.length} findings left out to stay within the size limit._\n`
      : '';
  const parts = [head, problems, tableHead, keptRows.join(''), omitted, findings.length > 0 ? '\n' : '', keptDetails.join('\n'), detailNote, checksPart];
  const out = parts.join('');
  // The run table alone can exceed a tiny budget: cut at a line boundary rather than emit a summary GitHub would drop.
  if (bytes(out) > budget) return truncateBytes(out, budget);
  return out;
}

function truncateBytes(text: string, budget: number): string {
  const note = '\n_(truncated to the size limit)_\n';
  const buf = Buffer.from(text, 'utf8').subarray(0, Math.max(0, budget - bytes(note)));
  const cut = buf.lastIndexOf(10);
  return `${buf.subarray(0, cut < 0 ? 0 : cut).toString('utf8')}${note}`;
}
