/**
 * The runs table (sortable; the loss columns follow the smoothing slider) and the findings list.
 */
import { columnFormat, formatDuration } from '../chart/format.js';
import { lossStats, type LossStats } from '../chart/loss-stats.js';
import { mixedTrainers, type PageRun } from '../compare/compare-model.js';
import type { PageContext, PageState } from './chart-view.js';
import { byId, el } from './dom.js';
import { prepare, smoothed, type Prepared } from './prepared.js';

interface Column {
  key: string;
  label: string;
  title?: string;
  num?: boolean;
  cls?: string;
  value: (r: PageRun, i: number) => string | number | null;
  cell: (r: PageRun, i: number) => (string | Node)[];
}

/** The table's loss figures at weight w. */
interface LossNow extends LossStats {
  /** From bucket means (a long series the page holds summarised): close, not exact. */
  approximate: boolean;
}

/**
 * Each run's loss series as the page holds it. At the CLI's weight the table shows the figures computed
 * over every point; at any other weight they are recomputed here from the embedded series with the same
 * smoothing (exact for series embedded whole, from bucket means for summarised ones).
 */
function lossSource(ctx: PageContext, prepared: Map<string, Prepared[]>, r: PageRun, i: number): Prepared | undefined {
  const tag = r.summary.lossTag;
  if (!tag) return undefined;
  const chart = ctx.chartByTag.get(tag);
  const k = chart ? chart.series.findIndex((s) => s.run === i) : -1;
  if (!chart || k < 0) return undefined;
  return prepared.get(tag)?.[k] ?? prepare(chart.series[k]);
}

function lossAt(r: PageRun, p: Prepared | undefined, w: number, base: number): LossNow {
  const exact = { finalLoss: r.summary.finalLoss, minLoss: r.summary.minLoss, minLossStep: r.summary.minLossStep, approximate: false };
  if (w === base || !p) return exact;
  const line = smoothed(p, w);
  // Skip the first 10 % of the points (whole buckets for a summarised series: they hold equal counts).
  return { ...lossStats(line.steps, line.values, Math.floor(line.steps.length / 10)), approximate: !!p.s.buckets };
}

/** Builds the table; returns what to call when the smoothing weight changes. */
export function buildSummary(ctx: PageContext, state: PageState, prepared: Map<string, Prepared[]>): (w: number) => void {
  const runs = ctx.data.runs;
  const base = ctx.data.options.smoothing;
  const table = byId<HTMLTableElement>('summary');
  const lossTags = [...new Set(runs.map((r) => r.summary.lossTag).filter((t): t is string => !!t))];
  // A break opportunity after each `/`: a tag-long header wraps like words instead of widening the table.
  const lossLabel = (lossTags.length === 1 ? lossTags[0] : 'loss').replace(/\//g, '/\u200b');
  const sources = runs.map((r, i) => lossSource(ctx, prepared, r, i));
  let loss = runs.map((r, i) => lossAt(r, sources[i], state.smoothing, base));
  const approx = (i: number) => (loss[i].approximate ? '≈ ' : '');
  // One number of decimals per column (they line up and compare at a glance); the loss columns follow the slider.
  const formats = () => ({ final: columnFormat(loss.map((l) => l.finalLoss)), min: columnFormat(loss.map((l) => l.minLoss)) });
  let fmt = formats();
  const fmtLr = columnFormat(runs.map((r) => r.summary.effectiveLr));
  const cols: Column[] = [
    {
      key: 'run',
      label: 'run',
      value: (r) => r.name,
      cell: (r) => [el('span', { class: 'sw-run', style: `background:${r.color}` }), r.name, ...settingsMark(r)],
      cls: 'runname',
    },
    { key: 'verdict', label: 'verdict', value: (r) => severityRank(r), cell: (r) => [verdictBadge(r)] },
    // Only when the runs' trainers differ: a sweep of one trainer would repeat its name on every row.
    ...(mixedTrainers(runs) ? [{ key: 'trainer', label: 'trainer', value: (r: PageRun) => r.trainer, cell: (r: PageRun) => [r.trainer] }] : []),
    { key: 'optimizer', label: 'optimizer', value: (r) => r.summary.optimizer ?? '', cell: (r) => [r.summary.optimizer || '—'] },
    { key: 'args', label: 'optimizer args', value: (r) => r.summary.optimizerArgs ?? '', cell: (r) => [r.summary.optimizerArgs || '—'], cls: 'args' },
    { key: 'lr', label: 'lr', value: (r) => r.summary.lr ?? '', cell: (r) => [r.summary.lr || '—'], cls: 'lr' },
    { key: 'efflr', label: 'effective lr', num: true, value: (r) => r.summary.effectiveLr, cell: (r) => effectiveLrCell(r, fmtLr) },
    {
      key: 'batch',
      label: 'batch',
      num: true,
      value: (r) => r.summary.batch,
      cell: (r) => [r.summary.batch === null ? '?' : `${r.summary.batch}${r.batchSource === 'option' ? ' (--batch)' : ''}`],
    },
    { key: 'steps', label: 'steps', num: true, value: (r) => r.summary.steps, cell: (r) => [r.summary.steps === null ? '—' : String(r.summary.steps)] },
    { key: 'epochs', label: 'epochs', num: true, value: (r) => r.summary.epochs, cell: (r) => [r.summary.epochs === null ? '—' : String(r.summary.epochs)] },
    {
      key: 'dim',
      label: 'dim / α',
      num: true,
      value: (r) => r.summary.dim,
      cell: (r) => [r.summary.dim === null ? '—' : `${r.summary.dim} / ${r.summary.alpha === null ? '?' : r.summary.alpha}`],
    },
    { key: 'duration', label: 'duration', num: true, value: (r) => r.summary.durationSec, cell: (r) => [formatDuration(r.summary.durationSec)] },
    {
      key: 'final',
      label: `final ${lossLabel}`,
      num: true,
      value: (_r, i) => loss[i].finalLoss,
      cell: (_r, i) => [loss[i].finalLoss === null ? '—' : approx(i) + fmt.final(loss[i].finalLoss)],
    },
    {
      key: 'min',
      label: `min ${lossLabel}`,
      num: true,
      value: (_r, i) => loss[i].minLoss,
      cell: (_r, i) =>
        loss[i].minLoss === null ? ['—'] : [`${approx(i)}${fmt.min(loss[i].minLoss)}`, el('span', { class: 'at' }, [` @ ${loss[i].minLossStep}`])],
    },
    {
      key: 'nonfinite',
      label: 'NaN/Inf',
      title: 'non-finite points over every scalar tag',
      num: true,
      value: (r) => r.summary.nonFinite,
      cell: (r) => [String(r.summary.nonFinite)],
    },
    { key: 'findings', label: 'findings', value: (r) => r.findings.length, cell: (r) => [findingKinds(r)] },
  ];
  const titles = (w: number): Record<string, string> => ({
    final: `last finite value of the smoothed (${w}) loss${w === base ? ', over every point' : '; ≈: from the bucket means of a summarised series'}`,
    efflr: 'peak of what moves the weights: d·lr (lr/d*lr…) for DAdaptation/Prodigy, whose lr is a multiplier (often 1); the logged lr for the others',
    min: `lowest smoothed (${w}) loss after the first 10 % of points, and its step`,
  });
  const thead = el('thead');
  const head = el('tr');
  thead.appendChild(head);
  const tbody = el('tbody');
  table.append(thead, tbody);
  let sort = { key: '', dir: 1 };
  const order = runs.map((_r, i) => i);
  const fill = () => {
    tbody.replaceChildren();
    for (const i of order) {
      const r = runs[i];
      const tr = el('tr', { 'data-index': String(i), 'data-run': r.name });
      for (const c of cols) tr.appendChild(el('td', { class: (c.num ? 'num ' : '') + (c.cls ?? '') }, c.cell(r, i)));
      if (state.hidden.has(i)) tr.classList.add('hidden-run');
      tbody.appendChild(tr);
    }
  };
  const sortBy = (c: Column) => {
    order.sort((a, b) => {
      const va = c.value(runs[a], a);
      const vb = c.value(runs[b], b);
      if (va === null || va === undefined) return vb === null || vb === undefined ? a - b : 1;
      if (vb === null || vb === undefined) return -1;
      const d = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
      return d * sort.dir || a - b;
    });
  };
  const headers = new Map<string, HTMLElement>();
  for (const c of cols) {
    const th = el('th', { scope: 'col', 'data-key': c.key, title: c.title ?? titles(state.smoothing)[c.key] ?? 'sort', 'aria-sort': 'none' }, [c.label]);
    headers.set(c.key, th);
    th.addEventListener('click', () => {
      sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 };
      sortBy(c);
      for (const other of Array.from(head.children)) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      fill();
    });
    head.appendChild(th);
  }
  fill();
  return (w) => {
    loss = runs.map((r, i) => lossAt(r, sources[i], w, base));
    fmt = formats();
    for (const [key, title] of Object.entries(titles(w))) headers.get(key)?.setAttribute('title', title);
    const current = cols.find((c) => c.key === sort.key);
    if (current) sortBy(current);
    fill();
  };
}

function effectiveLrCell(r: PageRun, fmt: (v: number) => string): (string | Node)[] {
  const { effectiveLr: v, effectiveLrTag: tag } = r.summary;
  if (v === null || v === undefined) return ['—'];
  const dlr = !!tag && tag.includes('d*lr');
  return [el('span', { title: `peak of ${tag}` }, [fmt(v)]), ...(dlr ? [el('span', { class: 'muted' }, [' d·lr'])] : [])];
}

/**
 * ⚙ after the run's name when lint flagged its own settings; the rules (and keys) in the tooltip. Text
 * node and attribute only: keys come from the user's files.
 */
function settingsMark(r: PageRun): (string | Node)[] {
  const flags = r.settings;
  if (flags.length === 0) return [];
  const worst = flags.some((f) => f.severity === 'error') ? 'error' : flags.some((f) => f.severity === 'warning') ? 'warning' : 'notice';
  const rules = flags.map((f) => `${f.rule}${f.key ? ` (${f.key})` : ''}: ${f.severity}`);
  const title = `settings flagged by tblens lint: ${rules.join('; ')}. See the findings below.`;
  return [' ', el('span', { class: `settings-mark sev-${worst}`, title, 'aria-label': title, 'data-rules': flags.map((f) => f.rule).join(' ') }, ['⚙'])];
}

function severityRank(r: PageRun): number {
  return r.summary.errors > 0 ? 0 : r.summary.warnings > 0 ? 1 : r.summary.notices > 0 ? 2 : 3;
}

function verdictBadge(r: PageRun): HTMLElement {
  const s = r.summary;
  const sev = s.errors > 0 ? 'error' : s.warnings > 0 ? 'warning' : s.notices > 0 ? 'notice' : 'ok';
  const text = s.verdict || (s.steps === null ? 'no data' : sev === 'ok' ? (s.verdict === null ? 'not diagnosed' : 'healthy') : sev);
  return el('span', { class: `badge sev-${s.verdict === null && sev === 'ok' ? 'notice' : sev}` }, [text]);
}

function findingKinds(r: PageRun): HTMLElement {
  const box = el('div', { class: 'kinds' });
  if (r.findings.length === 0) box.append('—');
  const seen = new Map<string, { severity: string; kind: string; n: number }>();
  for (const f of r.findings) {
    const k = `${f.severity}:${f.kind}`;
    const hit = seen.get(k);
    if (hit) hit.n++;
    else seen.set(k, { severity: f.severity, kind: String(f.kind), n: 1 });
  }
  for (const { severity, kind, n } of seen.values()) box.appendChild(el('span', { class: `badge sev-${severity}` }, [n > 1 ? `${kind} ×${n}` : kind]));
  return box;
}

export function buildFindings(ctx: PageContext): void {
  const box = byId('findings');
  let any = false;
  for (const r of ctx.data.runs) {
    if (r.findings.length === 0) continue;
    any = true;
    const block = el('div', { class: 'finding-run', 'data-run': r.name }, [
      el('h3', {}, [el('span', { class: 'sw-run', style: `background:${r.color}` }), r.name]),
    ]);
    for (const f of r.findings) {
      const where = f.tag ? ` · ${f.tag}${f.step !== null ? ` @ ${f.step}` : ''}` : '';
      block.appendChild(
        el('div', { class: 'finding-item' }, [
          el('span', { class: `badge sev-${f.severity}` }, [f.severity]),
          ' ',
          el('strong', {}, [String(f.kind)]),
          el('span', { class: 'muted' }, [where]),
          el('div', { class: 'msg' }, [f.message]),
          el('div', { class: 'advice' }, [f.advice]),
        ]),
      );
    }
    box.appendChild(block);
  }
  if (!any)
    box.appendChild(
      el('p', { class: 'muted' }, [
        ctx.data.runs.some((r) => r.summary.verdict !== null)
          ? 'No findings.'
          : 'No diagnosis was run for these runs; only what the reader saw (restarts) would be listed here.',
      ]),
    );
}
