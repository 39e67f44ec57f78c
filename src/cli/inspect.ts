import { findWeightsFiles } from '../runs/weights/find-files.js';
import { readWeightsSummary } from '../runs/weights/read-summary.js';
import type { InspectedFile } from '../report/inspect-model.js';
import { inspectJson } from '../report/inspect-json.js';
import { inspectText } from '../report/inspect-text.js';
import { openOutput } from '../report/output.js';
import { stderrLine, type CommandModule } from './command.js';

export const inspectCommand: CommandModule = {
  command: 'inspect <files..>',
  describe: 'Check LoRA .safetensors files: NaN/Inf and zero (untrained) weights, per-block health, kohya metadata',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: '.safetensors files, or directories to search for them' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .option('worst', { type: 'number', default: 8, describe: 'modules listed as worst (text format)' })
      .option('norms', { type: 'boolean', describe: '‖up·down‖ per module via r×r Gram matrices, about (rank+1)/2 multiply-adds per weight: default only within a budget (≈1–2 s per file), --norms always, --no-norms never' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' }),
  async run(args) {
    const found = await findWeightsFiles(args.files);
    for (const s of found.skipped) stderrLine(`${s.path}: ${s.reason}`);
    const files: InspectedFile[] = [];
    for (const path of found.files) {
      const r = await readWeightsSummary(path, { norms: args.norms ?? 'auto' });
      files.push(r.ok ? { path, ok: true, summary: r.summary, details: r.details } : { path, ok: false, error: r.error });
    }
    if (files.length === 0) {
      stderrLine(`no .safetensors files found in ${args.files.join(', ')}`);
      return 2;
    }
    for (const f of files) if (!f.ok) stderrLine(f.error);
    const out = openOutput(args.o);
    await out.write(args.format === 'json' ? inspectJson(files) : inspectText(files, { worst: Math.max(0, args.worst) }));
    await out.close();
    if (found.skipped.length > 0 || files.some((f) => !f.ok)) return 2;
    return files.some((f) => f.ok && f.summary.nanElements + f.summary.infElements > 0) ? 1 : 0;
  },
};
