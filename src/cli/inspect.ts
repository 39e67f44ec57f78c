import { findWeightsFiles } from '../weights/find-files.js';
import { readWeightsSummary } from '../weights/read-summary.js';
import type { InspectedFile } from '../report/inspect/inspect-model.js';
import { writeInspectJson } from '../report/inspect/inspect-json.js';
import { inspectText } from '../report/inspect/inspect-text.js';
import { openOutput } from '../report/output.js';
import { logsInsteadOfLoraHint } from './hints.js';
import { refuseOutputOverInput, stderrLine, stderrProgress, type CommandModule } from './command.js';

export const inspectCommand: CommandModule = {
  command: 'inspect <files..>',
  describe: 'Check LoRA .safetensors files: NaN/Inf and zero (untrained) weights, per-block health, kohya metadata',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: '.safetensors files, or directories to search for them' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .option('worst', { type: 'number', default: 8, describe: 'modules listed as worst (text format)' })
      .option('norms', {
        type: 'boolean',
        describe:
          '‖up·down‖ per module via r×r Gram matrices, about (rank+1)/2 multiply-adds per weight: default only within a budget (≈1–2 s per file), --norms always, --no-norms never',
      })
      .option('all-tensors', { type: 'boolean', default: false, describe: 'list every tensor holding NaN/Inf (text format; default the first 10 and a count)' })
      .option('only-problems', {
        type: 'boolean',
        default: false,
        describe: 'text format: list only files that are not ok (NaN/Inf, untrained, partly zero, unreadable); the summary line counts every file',
      })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' }),
  async run(args) {
    const found = await findWeightsFiles(args.files);
    for (const s of found.skipped) stderrLine(`${s.path}: ${s.reason}`);
    const files: InspectedFile[] = [];
    const progress = stderrProgress();
    for (const [i, path] of found.files.entries()) {
      // Before each file: a big one is where the time goes, and the line says which one of how many.
      progress.update('reading files', i, found.files.length);
      const r = await readWeightsSummary(path, { norms: args.norms ?? 'auto' });
      files.push(r.ok ? { path, ok: true, summary: r.summary, details: r.details } : { path, ok: false, error: r.error });
    }
    progress.end();
    if (files.length === 0) {
      stderrLine(`no .safetensors files found in ${args.files.join(', ')}`);
      const hint = await logsInsteadOfLoraHint(args.files);
      if (hint) stderrLine(hint);
      return 2;
    }
    for (const f of files) if (!f.ok) stderrLine(f.error);
    const hint = await logsInsteadOfLoraHint(files.filter((f) => !f.ok).map((f) => f.path));
    if (hint) stderrLine(hint);
    if (await refuseOutputOverInput(args.o, [...args.files, ...found.files])) return 2;
    const out = openOutput(args.o);
    if (args.format === 'json') await writeInspectJson(files, out);
    else await out.write(inspectText(files, { worst: Math.max(0, args.worst), allTensors: args['all-tensors'], onlyProblems: args['only-problems'] }));
    await out.close();
    if (found.skipped.length > 0 || files.some((f) => !f.ok)) return 2;
    return files.some((f) => f.ok && f.summary.nanElements + f.summary.infElements > 0) ? 1 : 0;
  },
};
