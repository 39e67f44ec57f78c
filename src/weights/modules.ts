import { blockOf, compareBlocks } from './blocks.js';
import { moduleFamily, type KeyInfo, type ModuleFamily } from './keys.js';
import { productNorm } from './gram.js';
import { addHealth, newHealth, nonFinite, type TensorHealth } from './tensor-health.js';
import type { DType } from './dtype.js';

/** One scanned tensor. */
export interface TensorReport {
  name: string;
  dtype: DType;
  shape: number[];
  key: KeyInfo;
  health: TensorHealth;
  /** The value of a one-element tensor (`alpha`), NaN/±Inf kept. */
  value?: number;
}

export interface ModuleReport {
  name: string;
  family: ModuleFamily;
  block: string;
  group: string;
  /** Parts present, e.g. `lora_down.weight`, `alpha`. */
  parts: string[];
  /** Convolution weights (4-d `lora_down`/factors), flattened to matrices for the norm. */
  conv: boolean;
  /** Tucker core (`lora_mid`, `hada_t*`, `lokr_t2`) or DoRA scale present. */
  tucker: boolean;
  dora: boolean;
  rank?: number;
  /** The stored `alpha` (NaN when it holds NaN); undefined when the module has none. */
  alpha?: number;
  /** alpha / rank, with alpha 0 or absent taken as rank (kohya's rule). */
  scale?: number;
  /** ‖up·down‖_F · scale (multiplier 1); NaN when a factor holds NaN/Inf; undefined when not computed. */
  deltaNorm?: number;
  /** Why `deltaNorm` is missing. */
  normNote?: string;
  /** All tensors of the module (alpha included). */
  health: TensorHealth;
  /** The zero-initialised factor: `lora_up` for LoRA; for other families all weight tensors together. */
  up: TensorHealth;
  /** That factor is exactly zero everywhere: the module never moved from kohya's init. */
  upZero: boolean;
}

export interface BlockReport {
  block: string;
  group: string;
  modules: number;
  tensors: number;
  health: TensorHealth;
  up: TensorHealth;
  upTensors: number;
  zeroUpTensors: number;
  /** Over modules with a computed finite norm. */
  deltaNormMedian: number;
  deltaNormMax: number;
}

/** Gram matrices per tensor name: `DDᵀ` of a down factor, `UᵀU` of an up factor (r×r). */
export type GramMap = Map<string, Float64Array>;

/** Groups tensors into modules (`<m>.lora_down.weight` / `.lora_up.weight` / `.alpha`, LyCORIS parts). */
export function buildModules(tensors: TensorReport[], grams: GramMap, normsSkipped?: string): ModuleReport[] {
  const byModule = new Map<string, TensorReport[]>();
  for (const t of tensors) {
    const list = byModule.get(t.key.module);
    if (list) list.push(t);
    else byModule.set(t.key.module, [t]);
  }
  const modules: ModuleReport[] = [];
  for (const [name, parts] of byModule) modules.push(moduleReport(name, parts, grams, normsSkipped));
  modules.sort((a, b) => compareBlocks(a.block, b.block) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return modules;
}

function moduleReport(name: string, parts: TensorReport[], grams: GramMap, normsSkipped: string | undefined): ModuleReport {
  const family = moduleFamily(parts.map((p) => p.key.family));
  const place = blockOf(name);
  const health = newHealth();
  for (const p of parts) addHealth(health, p.health);
  const find = (role: string) => parts.find((p) => p.key.role === role);
  const down = family === 'lora' ? find('down') : undefined;
  const upT = family === 'lora' ? find('up') : undefined;
  const alphaT = find('alpha');
  const tucker = parts.some((p) => p.key.role === 'mid');
  const dora = parts.some((p) => p.key.part === 'dora_scale' || p.key.part === 'lora_magnitude_vector');
  const conv = parts.some((p) => p.shape.length === 4);
  const report: ModuleReport = {
    name,
    family,
    block: place.block,
    group: place.group,
    parts: parts.map((p) => p.key.part).sort(),
    conv,
    tucker,
    dora,
    health,
    up: newHealth(),
    upZero: false,
  };
  if (alphaT) report.alpha = alphaT.value ?? NaN;
  if (down && down.shape.length >= 1) report.rank = down.shape[0];
  else if (upT && upT.shape.length >= 2) report.rank = upT.shape[1];
  if (report.rank !== undefined && report.rank > 0) {
    const a = report.alpha === undefined || report.alpha === 0 ? report.rank : report.alpha;
    report.scale = a / report.rank;
  }
  if (family === 'lora') {
    if (upT) {
      addHealth(report.up, upT.health);
      report.upZero = upT.health.elements > 0 && upT.health.zeros === upT.health.elements;
    }
  } else {
    for (const p of parts) if (p.key.role !== 'alpha' && p.key.role !== 'scale') addHealth(report.up, p.health);
    report.upZero = report.up.elements > 0 && report.up.zeros === report.up.elements;
  }
  const note = normProblem(family, down, upT, tucker);
  if (note) report.normNote = note;
  else if (down && upT) {
    if (nonFinite(down.health) > 0 || nonFinite(upT.health) > 0 || !Number.isFinite(report.scale)) report.deltaNorm = NaN;
    else {
      const dg = grams.get(down.name);
      const ug = grams.get(upT.name);
      if (dg && ug && dg.length === ug.length) report.deltaNorm = productNorm(ug, dg) * report.scale!;
      else report.normNote = normsSkipped ?? 'factors too large to hold for the norm';
    }
  }
  return report;
}

function normProblem(family: ModuleFamily, down: TensorReport | undefined, up: TensorReport | undefined, tucker: boolean): string | undefined {
  if (family !== 'lora') return `not computed for ${family} modules`;
  if (!down || !up) return `incomplete module (${down ? 'no up' : 'no down'} factor)`;
  if (tucker) return 'not computed for Tucker (lora_mid) modules';
  if (down.shape.length < 2 || up.shape.length < 2) return 'factors are not matrices';
  if (up.shape.length === 4 && (up.shape[2] !== 1 || up.shape[3] !== 1)) return 'up factor is not 1×1';
  if (up.shape[1] !== down.shape[0]) return `ranks differ (down ${down.shape[0]}, up ${up.shape[1]})`;
  return undefined;
}

/** Which tensors need their values held for a Gram matrix, and how to read them as a matrix. */
export function gramShape(t: { shape: number[]; elements: number; key: KeyInfo }): { kind: 'rows' | 'columns'; rows: number; cols: number } | undefined {
  if (t.key.family !== 'lora' || t.shape.length < 2 || t.elements === 0) return undefined;
  if (t.key.role === 'down') return { kind: 'rows', rows: t.shape[0], cols: t.elements / t.shape[0] };
  if (t.key.role === 'up') {
    if (t.shape.length === 4 && (t.shape[2] !== 1 || t.shape[3] !== 1)) return undefined;
    if (t.shape.length !== 2 && t.shape.length !== 4) return undefined;
    return { kind: 'columns', rows: t.shape[0], cols: t.shape[1] };
  }
  return undefined;
}

/** Multiply-adds the Gram matrices of these tensors cost: r(r+1)/2 per row (down) or per column (up) element run. */
export function gramWork(tensors: { shape: number[]; elements: number; key: KeyInfo }[]): { work: number; maxRank: number } {
  let work = 0;
  let maxRank = 0;
  for (const t of tensors) {
    const m = gramShape(t);
    if (!m) continue;
    const r = m.kind === 'rows' ? m.rows : m.cols;
    const n = m.kind === 'rows' ? m.cols : m.rows;
    work += ((r * (r + 1)) / 2) * n;
    maxRank = Math.max(maxRank, r);
  }
  return { work, maxRank };
}

export function buildBlocks(modules: ModuleReport[]): BlockReport[] {
  const byBlock = new Map<string, ModuleReport[]>();
  for (const m of modules) {
    const list = byBlock.get(m.block);
    if (list) list.push(m);
    else byBlock.set(m.block, [m]);
  }
  const blocks: BlockReport[] = [];
  for (const [block, list] of byBlock) {
    const health = newHealth();
    const up = newHealth();
    let tensors = 0;
    let zeroUp = 0;
    let upTensors = 0;
    const norms: number[] = [];
    for (const m of list) {
      addHealth(health, m.health);
      addHealth(up, m.up);
      tensors += m.parts.length;
      if (m.up.elements > 0) upTensors++;
      if (m.upZero) zeroUp++;
      if (m.deltaNorm !== undefined && Number.isFinite(m.deltaNorm)) norms.push(m.deltaNorm);
    }
    norms.sort((a, b) => a - b);
    blocks.push({
      block,
      group: list[0].group,
      modules: list.length,
      tensors,
      health,
      up,
      upTensors,
      zeroUpTensors: zeroUp,
      deltaNormMedian: median(norms),
      deltaNormMax: norms.length ? norms[norms.length - 1] : NaN,
    });
  }
  return blocks.sort((a, b) => compareBlocks(a.block, b.block));
}

export function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
