import { access } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { formatDuration } from '../chart/format.js';
import { mixedTrainers, type PageData, type PageRun } from './compare-model.js';
import { formatNumber } from './compare-summary.js';
import { mdText } from '../escape.js';

function value(x: number | null): string {
  return x === null ? '—' : formatNumber(x);
}

function verdict(r: PageRun): string {
  const s = r.summary;
  if (s.verdict) return s.verdict;
  if (s.steps === null) return 'no data';
  return s.errors ? 'error' : s.warnings ? 'warning' : s.notices ? 'notice' : 'not diagnosed';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The comparison as Markdown: a summary table per run, the findings, and links to the HTML page
 * and SVG charts when they sit beside `outputPath` under the same name.
 */
export async function renderCompareMarkdown(data: Pick<PageData, 'title' | 'generator' | 'options' | 'runs' | 'notes'>, outputPath?: string): Promise<string> {
  const lines: string[] = [];
  lines.push(`# ${mdText(data.title)}`, '');
  const lossTags = [...new Set(data.runs.map((r) => r.summary.lossTag).filter((t): t is string => !!t))];
  const loss = lossTags.length === 1 ? lossTags[0] : 'loss';
  if (outputPath) {
    const stem = basename(outputPath, extname(outputPath));
    const dir = dirname(outputPath);
    const links: string[] = [];
    if (await exists(join(dir, `${stem}.svg`))) lines.push(`![charts](${encodeURI(`${stem}.svg`)})`, '');
    if (await exists(join(dir, `${stem}.html`)))
      links.push(`[interactive report](${encodeURI(`${stem}.html`)}) (one self-contained HTML file: smoothing slider, x-axis switch, tooltips)`);
    if (links.length) lines.push(...links, '');
  }
  lines.push(`${data.runs.length} runs · final and min ${mdText(loss)} smoothed at ${data.options.smoothing} over every point · ${mdText(data.generator)}`, '');
  // The trainer column only when the runs' trainers differ (as on the page).
  const trainers = mixedTrainers(data.runs);
  lines.push(
    `| run | verdict | ${trainers ? 'trainer | ' : ''}optimizer | lr | batch | steps | epochs | dim / α | duration | final loss | min loss | NaN/Inf | findings |`,
  );
  lines.push(`| --- | --- | ${trainers ? '--- | ' : ''}--- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
  for (const r of data.runs) {
    const s = r.summary;
    const opt = s.optimizer ? `${s.optimizer}${s.optimizerArgs ? ` (${s.optimizerArgs})` : ''}` : '—';
    // Flagged settings as on the page: ⚙ and the lint rules.
    const rules = [...new Set(r.settings.map((f) => f.rule))];
    const kinds = [...new Set(r.findings.map((f) => (f.kind === 'config' ? `⚙ config (${rules.join(', ')})` : `${f.kind}`)))].join(', ') || '—';
    lines.push(
      `| ${[
        mdText(r.name),
        mdText(verdict(r)),
        ...(trainers ? [mdText(r.trainer)] : []),
        mdText(opt),
        mdText(s.lr ?? '—'),
        s.batch === null ? '?' : String(s.batch),
        s.steps === null ? '—' : String(s.steps),
        s.epochs === null ? '—' : String(s.epochs),
        s.dim === null ? '—' : `${s.dim} / ${s.alpha ?? '?'}`,
        formatDuration(s.durationSec),
        value(s.finalLoss),
        s.minLoss === null ? '—' : `${value(s.minLoss)} @ ${s.minLossStep}`,
        String(s.nonFinite),
        mdText(kinds),
      ].join(' | ')} |`,
    );
  }
  lines.push('');
  const withFindings = data.runs.filter((r) => r.findings.length > 0);
  if (withFindings.length > 0) {
    lines.push('## Findings', '');
    for (const r of withFindings) {
      for (const f of r.findings) {
        const where = f.tag ? ` (${mdText(f.tag)}${f.step !== null ? ` @ ${f.step}` : ''})` : '';
        lines.push(`- **${mdText(r.name)}** · ${f.severity} · ${mdText(String(f.kind))}${where}: ${mdText(f.message)}`);
      }
    }
    lines.push('');
  }
  if (data.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of data.notes) lines.push(`- ${mdText(n)}`);
    lines.push('');
  }
  return lines.join('\n');
}
