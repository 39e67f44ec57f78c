import { basename } from 'node:path';
import { shortNumber } from '../../detect/numbers.js';
import type { RunIdentity } from '../../identity/identity.js';
import { formatUnixTime } from '../../identity/unix-time.js';
import type { WeightsDetails } from '../../weights/read-summary.js';
import type { WeightsSummary } from '../../weights/summary.js';
import { nonFinite, rms } from '../../weights/tensor-health.js';
import { termText } from '../escape.js';
import { weightsStatus, worstModules, type InspectedFile, type WeightsStatus } from './inspect-model.js';

export interface InspectTextOptions {
  /** Modules listed under "worst modules". */
  worst?: number;
  /** List every tensor holding NaN/Inf instead of the first 10 and a count. */
  allTensors?: boolean;
  /** Leave out files whose status is `ok` (the summary line still counts them). */
  onlyProblems?: boolean;
}

/** A file's status as the summary counts it; unreadable files have none of their own. */
function fileStatus(f: InspectedFile): WeightsStatus | 'unreadable' {
  return f.ok ? weightsStatus(f.summary) : 'unreadable';
}

/**
 * The last line on several files, so a broken one is not buried under pages of tables:
 * `12 files: 1 with NaN/Inf, 0 untrained, 0 partly zero, 0 unreadable, 11 ok`.
 */
export function inspectSummary(files: InspectedFile[]): string {
  const c = { nonfinite: 0, untrained: 0, zero_groups: 0, unreadable: 0, ok: 0 };
  for (const f of files) c[fileStatus(f)]++;
  return `${files.length} file${files.length === 1 ? '' : 's'}: ${c.nonfinite} with NaN/Inf, ${c.untrained} untrained, ${c.zero_groups} partly zero, ${c.unreadable} unreadable, ${c.ok} ok`;
}

/** `tblens inspect`: per file a status line, the training metadata, per-block health and the worst modules; a summary line after several. */
export function inspectText(files: InspectedFile[], options: InspectTextOptions = {}): string {
  const out: string[] = [];
  const shown = options.onlyProblems ? files.filter((f) => fileStatus(f) !== 'ok') : files;
  for (const f of shown) {
    if (!f.ok) {
      out.push(`${termText(f.path)}\n  UNREADABLE  ${termText(f.error)}\n`);
      continue;
    }
    out.push(fileText(f.summary, f.details, options.worst ?? 8, options.allTensors ? Infinity : 10));
  }
  const hidden = files.length - shown.length;
  const tail: string[] = [];
  if (hidden > 0) tail.push(`${hidden} ok file${hidden === 1 ? '' : 's'} not shown (--only-problems)`);
  // One file: its status line is the summary already.
  if (files.length > 1 || hidden > 0) tail.push(inspectSummary(files));
  if (tail.length > 0) out.push(`${tail.join('\n')}\n`);
  return out.join('\n');
}

function fileText(s: WeightsSummary, d: WeightsDetails, worst: number, listed: number): string {
  const lines: string[] = [];
  lines.push(`${s.path}`);
  lines.push(`  ${bytes(d.fileSize)}, ${s.dtypes.join('/') || 'no tensors'}, ${s.tensors} tensors, ${s.modules} modules${families(d)}`);
  lines.push(`  ${statusLine(s)}`);
  if (d.hash)
    lines.push(
      `  hash        sshs_model_hash ${d.hash.match ? 'matches the data section' : `DOES NOT MATCH (data sha256 ${d.hash.actual.slice(0, 16)}…, metadata ${d.hash.expected.slice(0, 16)}…)`}`,
    );
  for (const w of d.warnings) lines.push(`  warning     ${w}`);
  const meta = metadataLines(s.identity, s);
  if (meta.length) {
    lines.push('');
    for (const [k, v] of meta) lines.push(`  ${k.padEnd(11)} ${v}`);
  }
  lines.push('');
  lines.push('  per block');
  const rows = d.blocks.map((b) => [
    b.block,
    String(b.modules),
    count(b.health.nan),
    count(b.health.posInf + b.health.negInf),
    `${b.zeroUpTensors}/${b.upTensors}`,
    pct(b.health.zeros, b.health.elements),
    num(rms(b.up)),
    num(b.deltaNormMedian),
    num(b.deltaNormMax),
  ]);
  lines.push(...table(['block', 'modules', 'NaN', '±Inf', 'zero up', 'zeros', 'up RMS', '‖ΔW‖ med', '‖ΔW‖ max'], rows, '    '));
  const skipped = d.modules.find((m) => m.normNote?.startsWith('skipped'))?.normNote;
  if (skipped) lines.push(`    ‖ΔW‖ ${skipped.replace('ask for norms', '--norms computes it')}`);
  const shown = worstModules(d, worst);
  if (shown.length) {
    lines.push('');
    lines.push(`  worst modules (non-finite first, then zero up factor, then ‖ΔW‖ against its block median)`);
    const mrows = shown.map((m) => [
      m.name,
      m.family,
      m.rank === undefined ? '–' : String(m.rank),
      m.alpha === undefined ? '–' : num(m.alpha),
      count(m.health.nan),
      count(m.health.posInf + m.health.negInf),
      m.upZero ? 'yes' : 'no',
      m.deltaNorm === undefined ? (m.normNote?.startsWith('skipped') ? '–' : `– ${m.normNote ?? ''}`.trim()) : num(m.deltaNorm),
    ]);
    lines.push(...table(['module', 'family', 'rank', 'alpha', 'NaN', '±Inf', 'up=0', '‖ΔW‖'], mrows, '    '));
  }
  const bad = d.tensors.filter((t) => nonFinite(t.health) > 0);
  if (bad.length) {
    lines.push('');
    lines.push(`  tensors holding NaN/Inf (${bad.length})`);
    for (const t of bad.slice(0, listed))
      lines.push(`    ${t.name}  ${t.dtype}[${t.shape.join('×')}]  NaN ${count(t.health.nan)}  +Inf ${count(t.health.posInf)}  −Inf ${count(t.health.negInf)}`);
    if (bad.length > listed) lines.push(`    … ${bad.length - listed} more not listed (--all-tensors lists them, --format json has them all)`);
  }
  // Each entry is meant as one line: sanitising it whole covers every path, name and metadata value in it.
  return lines.map(termText).join('\n') + '\n';
}

function statusLine(s: WeightsSummary): string {
  switch (weightsStatus(s)) {
    case 'nonfinite': {
      const parts: string[] = [];
      if (s.nanElements) parts.push(`NaN in ${count(s.nanElements)} elements of ${s.nanTensors.length} tensors`);
      if (s.infElements) parts.push(`±Inf in ${count(s.infElements)} elements of ${s.infTensors.length} tensors`);
      return `BROKEN      ${parts.join('; ')}: images will come out black or fail`;
    }
    case 'untrained':
      return `UNTRAINED   every one of ${s.upTensors} up factors is exactly zero: the LoRA has no effect`;
    case 'zero_groups': {
      const zero = (s.groups ?? []).filter((g) => g.upTensors > 0 && g.zeroUpTensors === g.upTensors).map((g) => g.group);
      return `PARTLY ZERO every up factor in ${zero.join(', ')} is exactly zero (those parts never trained)`;
    }
    case 'ok':
      return `ok          no NaN/Inf; ${s.upTensors - s.zeroUpTensors} of ${s.upTensors} up factors non-zero (up RMS ${num(s.upRms)})`;
  }
}

function families(d: WeightsDetails): string {
  const counts = new Map<string, number>();
  for (const m of d.modules) counts.set(m.family, (counts.get(m.family) ?? 0) + 1);
  const conv = d.modules.filter((m) => m.conv).length;
  const list = [...counts].map(([f, n]) => `${n} ${f}`);
  if (conv) list.push(`${conv} conv`);
  return list.length ? ` (${list.join(', ')})` : '';
}

function metadataLines(id: RunIdentity, s: WeightsSummary): [string, string][] {
  const out: [string, string][] = [];
  const m = s.metadata;
  const net = [
    id.networkModule,
    id.networkDim !== undefined ? `dim ${id.networkDim}` : '',
    id.networkAlpha !== undefined ? `alpha ${num(id.networkAlpha)}` : '',
    m.ss_network_args && m.ss_network_args !== 'None' ? `args ${m.ss_network_args}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (net) out.push(['network', net]);
  if (id.optimizer)
    out.push([
      'optimizer',
      `${id.optimizer.name}${id.optimizer.raw.includes('(') ? id.optimizer.raw.slice(id.optimizer.raw.indexOf('(')) : ''}${id.optimizer.module ? `  [${id.optimizer.module}]` : ''}`,
    ]);
  const lr: string[] = [];
  if (id.learningRate !== undefined) lr.push(`lr ${num(id.learningRate)}`);
  if (id.unetLr !== undefined && id.unetLr !== null) lr.push(`unet ${num(id.unetLr)}`);
  if (id.textEncoderLr !== undefined && id.textEncoderLr !== null)
    lr.push(`te ${Array.isArray(id.textEncoderLr) ? id.textEncoderLr.map(num).join('/') : num(id.textEncoderLr)}`);
  if (id.lrScheduler) lr.push(id.lrScheduler);
  if (id.lrWarmupSteps !== undefined) lr.push(`warmup ${num(id.lrWarmupSteps)}`);
  if (lr.length) out.push(['lr', lr.join(', ')]);
  const batch: string[] = [];
  if (id.batchSizePerDevice !== undefined) batch.push(`${id.batchSizePerDevice} per device`);
  if (id.gradientAccumulationSteps !== undefined) batch.push(`grad accum ${id.gradientAccumulationSteps}`);
  if (id.totalBatchSize !== undefined) batch.push(`total ${id.totalBatchSize}`);
  if (batch.length) out.push(['batch', batch.join(', ')]);
  const progress: string[] = [];
  if (s.steps !== undefined) progress.push(`step ${s.steps}${id.maxTrainSteps !== undefined ? ` of ${id.maxTrainSteps}` : ''}`);
  if (s.epoch !== undefined) progress.push(`epoch ${s.epoch}${id.epochs !== undefined ? ` of ${id.epochs}` : ''}`);
  if (id.batchesPerEpoch !== undefined) progress.push(`${id.batchesPerEpoch} batches/epoch`);
  if (progress.length) out.push(['progress', progress.join(', ')]);
  const prec = [
    id.mixedPrecision ? `mixed ${id.mixedPrecision}` : '',
    m.ss_full_fp16 === 'True' ? 'full_fp16' : '',
    s.dtypes.length ? `saved ${s.dtypes.join('/')}` : '',
  ].filter(Boolean);
  if (prec.length) out.push(['precision', prec.join(', ')]);
  const model = [
    id.baseModel,
    m.ss_base_model_version && m.ss_base_model_version !== id.baseModel ? m.ss_base_model_version : '',
    m['modelspec.architecture'] ?? '',
  ].filter(Boolean);
  if (model.length) out.push(['base model', model.join(', ')]);
  if (id.seed !== undefined) out.push(['seed', String(id.seed)]);
  if (id.trainingStartedAt !== undefined) {
    const dur = id.trainingFinishedAt !== undefined ? ` → ${when(id.trainingFinishedAt)} (${duration(id.trainingFinishedAt - id.trainingStartedAt)})` : '';
    out.push(['trained', `${when(id.trainingStartedAt)}${dur}`]);
  }
  if (id.outputName) out.push(['output', id.outputName]);
  const unknown = Object.keys(m).filter((k) => !k.startsWith('ss_') && !k.startsWith('sshs_') && !k.startsWith('modelspec.'));
  if (unknown.length) out.push(['other keys', unknown.join(', ')]);
  return out;
}

function table(headers: string[], rows: string[][], indent: string): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return shortNumber(x, 1e6, 'Inf');
}

function count(n: number): string {
  return n === 0 ? '0' : n.toLocaleString('en-US');
}

function pct(part: number, whole: number): string {
  if (whole === 0) return '–';
  const p = (100 * part) / whole;
  return p === 0 ? '0%' : p < 0.1 ? '<0.1%' : `${p.toFixed(1)}%`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

function when(unix: number): string {
  return formatUnixTime(unix);
}

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function fileLabel(path: string): string {
  return basename(path);
}
