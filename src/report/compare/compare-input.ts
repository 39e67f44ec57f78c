import type { DetectConfig } from '../../detect/config.js';
import { problemLines } from '../../runs/damage-lines.js';
import { analyze } from '../../analyze/analyze.js';
import { verdict } from '../format.js';
import type { CompareRunInput } from './compare-data.js';

/** `--batch RUN=N`: RUN is a run's display name, or a regular expression matching whole names. */
export interface BatchOverride {
  pattern: string;
  batch: number;
}

export function parseBatchOption(text: string): BatchOverride | { error: string } {
  const eq = text.lastIndexOf('=');
  const pattern = eq > 0 ? text.slice(0, eq) : '';
  const batch = Number(eq > 0 ? text.slice(eq + 1) : NaN);
  if (!pattern || !Number.isInteger(batch) || batch <= 0) return { error: `--batch ${JSON.stringify(text)}: expected RUN=N with N a positive integer` };
  return { pattern, batch };
}

/** Applies the overrides by name; an override that matches no run is a usage error (a typo would silently do nothing). */
export function applyBatchOverrides(inputs: CompareRunInput[], overrides: BatchOverride[]): { ok: true } | { ok: false; error: string } {
  for (const o of overrides) {
    let matched = inputs.filter((i) => i.name === o.pattern);
    if (matched.length === 0) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${o.pattern})$`);
      } catch {
        re = /$^/;
      }
      matched = inputs.filter((i) => re.test(i.name));
    }
    if (matched.length === 0)
      return { ok: false, error: `--batch ${o.pattern}=${o.batch}: no run is named so (runs: ${inputs.map((i) => i.name).join(', ')})` };
    for (const m of matched) m.batch = o.batch;
  }
  return { ok: true };
}

export interface CollectOptions {
  weightsDirs?: string[];
  batch?: BatchOverride[];
  config?: DetectConfig;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export type CollectResult = { ok: true; inputs: CompareRunInput[]; problems: string[] } | { ok: false; error: string };

/**
 * Loads and diagnoses the runs under `paths` with `analyze` (identity from the linked LoRA file or
 * kohya's hparams, findings, verdict); the same loaded runs give the series the page draws.
 */
export async function collectCompareInputs(paths: string[], options: CollectOptions = {}): Promise<CollectResult> {
  const analyzed = await analyze(paths, { weightsDirs: options.weightsDirs, config: options.config, onProgress: options.onProgress });
  if (!analyzed.ok) return analyzed;
  const problems = problemLines(analyzed.roots);
  for (const p of analyzed.report.problems) problems.push(p.path ? `${p.path}: ${p.message}` : p.message);
  const byName = new Map(analyzed.report.runs.map((r) => [r.run, r]));
  const inputs: CompareRunInput[] = analyzed.runs.map((run) => {
    const diagnosed = byName.get(run.name);
    return {
      name: run.name,
      run,
      identity: diagnosed && diagnosed.identity.source !== 'none' ? diagnosed.identity : undefined,
      findings: diagnosed?.findings,
      verdict: diagnosed ? verdict(diagnosed) : null,
    };
  });
  const applied = applyBatchOverrides(inputs, options.batch ?? []);
  if (!applied.ok) return applied;
  return { ok: true, inputs, problems };
}
