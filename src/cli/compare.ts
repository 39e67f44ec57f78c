import { writeFile } from 'node:fs/promises';
import { buildPageData } from '../report/compare-data.js';
import { collectCompareInputs, parseBatchOption, type BatchOverride } from '../report/compare-input.js';
import { renderCompareMarkdown } from '../report/compare-markdown.js';
import { X_AXES, type XAxis } from '../report/compare-model.js';
import { renderComparePage } from '../report/html/page.js';
import { renderCompareSvg } from '../report/svg-charts.js';
import { TOOL_NAME, toolVersion } from '../report/tool.js';
import { parseRegex, stderrLine, type CommandModule } from './command.js';
import { loadConfigFile } from './config-file.js';

type CompareFormat = 'html' | 'svg' | 'markdown';

export const compareCommand: CommandModule = {
  command: 'compare <paths..>',
  describe: 'Compare runs side by side: one self-contained HTML page (or static SVG charts, or a Markdown table)',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'log directories or event files (runs from several roots are fine)' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout, except for html/svg on a terminal)' })
      .option('format', { choices: ['html', 'svg', 'markdown'] as const, default: 'html' as const, describe: 'html: interactive page; svg: static charts; markdown: summary table with links' })
      .option('tags', { type: 'string', describe: 'only chart tags matching this regular expression' })
      .option('x', { choices: X_AXES, default: 'step' as XAxis, describe: 'initial x axis: step, samples seen (step × batch), epoch, relative or wall time' })
      .option('smoothing', { type: 'number', default: 0.6, describe: "initial smoothing weight 0..0.999 (TensorBoard's debiased EMA)" })
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
    if (!toFile && format !== 'markdown' && process.stdout.isTTY) {
      stderrLine(`--format ${format} writes a file: give -o FILE (or pipe the output)`);
      return 2;
    }
    const config = await loadConfigFile(args.config);
    if (!config.ok) {
      stderrLine(config.error);
      return 2;
    }
    const collected = await collectCompareInputs(args.paths, { weightsDirs: args.weights, batch, config: config.config });
    if (!collected.ok) {
      stderrLine(collected.error);
      return 2;
    }
    for (const line of collected.problems) stderrLine(line);
    const data = buildPageData(collected.inputs, {
      title: args.title ?? defaultTitle(collected.inputs.map((i) => i.name)),
      x: args.x as XAxis,
      smoothing,
      tagFilter: tagFilter as RegExp | undefined,
      generator: `${TOOL_NAME} ${toolVersion()}`,
    });
    const text = format === 'html' ? await renderComparePage(data) : format === 'svg' ? await renderCompareSvg(data) : await renderCompareMarkdown(data, toFile ? args.o : undefined);
    if (toFile) await writeFile(args.o, text);
    else process.stdout.write(text);
    return 0;
  },
};

/** The run names when they fit on a line, else the count. */
function defaultTitle(names: string[]): string {
  const shown = names.slice(0, 4).join(', ');
  if (shown.length > 90) return `Comparison of ${names.length} runs`;
  return `Comparison: ${shown}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`;
}
