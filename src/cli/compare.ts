import { buildCompareModel, MAX_CHARTS, pageDataOf } from '../report/compare/compare-data.js';
import { collectCompareInputs, parseBatchOption, type BatchOverride } from '../report/compare/compare-input.js';
import { renderCompareMarkdown } from '../report/compare/compare-markdown.js';
import { X_AXES, type XAxis } from '../report/compare/compare-model.js';
import { renderComparePage } from '../report/html/page.js';
import { renderCompareSvg } from '../report/compare/svg-charts.js';
import { openOutput } from '../report/output.js';
import { stdout, writeStdout } from '../report/terminal.js';
import { TOOL_NAME, toolVersion } from '../analyze/tool.js';
import { parseRegex, refuseOutputOverInput, stderrLine, stderrProgress, type CommandModule } from './command.js';
import { loadConfigFile } from './config-file.js';
import { cappedList, loraInsteadOfLogsHint } from './hints.js';

type CompareFormat = 'html' | 'svg' | 'markdown';

export const compareCommand: CommandModule = {
  command: 'compare <paths..>',
  describe: 'Compare runs side by side: one self-contained HTML page (or static SVG charts, or a Markdown table)',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'log directories or event files (runs from several roots are fine)' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout, except for html/svg on a terminal)' })
      .option('format', {
        choices: ['html', 'svg', 'markdown'] as const,
        default: 'html' as const,
        describe: 'html: interactive page; svg: static charts; markdown: summary table with links',
      })
      .option('tags', { type: 'string', describe: 'only chart tags matching this regular expression' })
      .option('x', { choices: X_AXES, default: 'step' as XAxis, describe: 'initial x axis: step, samples seen (step × batch), epoch, relative or wall time' })
      .option('smoothing', { type: 'number', default: 0.6, describe: "initial smoothing weight 0..0.999 (TensorBoard's debiased EMA)" })
      .option('max-charts', {
        type: 'number',
        default: MAX_CHARTS,
        describe: 'draw at most N charts (the page says which tags were left out; choose them with --tags)',
      })
      .option('title', { type: 'string', describe: 'page title' })
      .option('weights', { type: 'string', array: true, describe: 'directories with the LoRA .safetensors files (identity: optimizer, lr, batch, …)' })
      .option('batch', { type: 'string', array: true, describe: 'RUN=N: samples per step for a run (name or regular expression), overriding metadata' })
      .option('config', { type: 'string', describe: 'diagnosis threshold overrides (default: ./tblens.config.json when present)' }),
  async run(args) {
    const tagFilter = parseRegex('tags', args.tags);
    if (tagFilter && !(tagFilter instanceof RegExp)) {
      stderrLine(tagFilter.error);
      return 2;
    }
    const smoothing = Number(args.smoothing);
    if (!Number.isFinite(smoothing) || smoothing < 0 || smoothing > 0.999) {
      stderrLine(`--smoothing ${args.smoothing}: expected a number from 0 to 0.999`);
      return 2;
    }
    const maxCharts = Number(args['max-charts']);
    if (!Number.isInteger(maxCharts) || maxCharts < 1) {
      stderrLine(`--max-charts ${args['max-charts']}: expected a whole number of at least 1`);
      return 2;
    }
    const batch: BatchOverride[] = [];
    for (const text of (args.batch as string[] | undefined) ?? []) {
      const b = parseBatchOption(String(text));
      if ('error' in b) {
        stderrLine(b.error);
        return 2;
      }
      batch.push(b);
    }
    const format = args.format as CompareFormat;
    const toFile = args.o !== undefined && args.o !== '-';
    if (!toFile && format !== 'markdown' && stdout.isTTY) {
      stderrLine(`--format ${format} writes a file: give -o FILE (or pipe the output)`);
      return 2;
    }
    const config = await loadConfigFile(args.config);
    if (!config.ok) {
      stderrLine(config.error);
      return 2;
    }
    const progress = stderrProgress();
    const collected = await collectCompareInputs(args.paths, {
      weightsDirs: args.weights,
      batch,
      config: config.config,
      onProgress: (stage, done, total) => progress.update(stage, done, total),
    });
    progress.end();
    if (!collected.ok) {
      stderrLine(collected.error);
      const hint = await loraInsteadOfLogsHint(args.paths);
      if (hint) stderrLine(hint);
      return 2;
    }
    for (const line of collected.problems) stderrLine(line);
    const tags = collected.inputs.flatMap((i) => [...i.run.scalars.keys()]);
    // Still a page (with no charts), as before: the hint is for the next try.
    if (tagFilter instanceof RegExp && !tags.some((t) => tagFilter.test(t)))
      stderrLine(`--tags ${args.tags}: matches no tag; the tags: ${cappedList(tags.sort()) || 'none'}`);
    const model = buildCompareModel(collected.inputs, {
      title: args.title ?? defaultTitle(collected.inputs.map((i) => i.name)),
      x: args.x as XAxis,
      smoothing,
      tagFilter: tagFilter as RegExp | undefined,
      generator: `${TOOL_NAME} ${toolVersion()}`,
      maxCharts,
    });
    const text =
      format === 'html'
        ? await renderComparePage(pageDataOf(model))
        : format === 'svg'
          ? await renderCompareSvg(model)
          : await renderCompareMarkdown(model, toFile ? args.o : undefined);
    if (toFile) {
      if (await refuseOutputOverInput(args.o, [...args.paths, ...collected.inputs.flatMap((i) => i.run.files.map((f) => f.path))])) return 2;
      const out = openOutput(args.o);
      await out.write(text);
      await out.close();
      // The page is the product, and it went to a file: say where, and what is in it (a run or chart short is seen at once).
      stderrLine(wroteLine(args.o, model.runs.length, format === 'markdown' ? null : model.charts.length, Buffer.byteLength(text, 'utf8')));
    } else writeStdout(text);
    return 0;
  },
};

/** `wrote sweep.html (4 runs, 6 charts, 0.6 MB)`; the Markdown table has no charts. */
export function wroteLine(file: string, runs: number, charts: number | null, bytes: number): string {
  const size = bytes < 100_000 ? `${Math.max(1, Math.round(bytes / 1000))} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
  const parts = [`${runs} run${runs === 1 ? '' : 's'}`, ...(charts === null ? [] : [`${charts} chart${charts === 1 ? '' : 's'}`]), size];
  return `wrote ${file} (${parts.join(', ')})`;
}

/** The run names when they fit on a line, else the count. */
function defaultTitle(names: string[]): string {
  const shown = names.slice(0, 4).join(', ');
  if (shown.length > 90) return `Comparison of ${names.length} runs`;
  return `Comparison: ${shown}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`;
}
