import { useColor } from '../report/color.js';
import { exitCodeFor } from '../analyze/diagnosis-report.js';
import { renderJson } from '../report/diagnosis/render-json.js';
import { renderMarkdown } from '../report/diagnosis/render-markdown.js';
import { openOutput } from '../report/output.js';
import { renderText } from '../report/diagnosis/render-text.js';
import { stdout } from '../report/terminal.js';
import { outputWidth } from '../report/wrap.js';
import { stderrLine, type CommandModule } from './command.js';
import { analysisInputs, CONFIG_OPTION, runAnalysis } from './run-analysis.js';

export const diagnoseCommand: CommandModule = {
  command: 'diagnose <paths..>',
  describe: 'Diagnose training runs: per run a verdict, the loss curve, who the run is, findings with advice',
  builder: (y) =>
    analysisInputs(y)
      .option('format', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, describe: 'output format' })
      .option('config', CONFIG_OPTION)
      .option('verbose', {
        type: 'boolean',
        default: false,
        describe: 'text: under each finding its evidence (every number and threshold) and file (JSON always has them)',
      })
      .option('only-problems', {
        type: 'boolean',
        default: false,
        describe: 'text: list only runs that failed or have warnings (the summary line still counts every run)',
      }),
  async run(args) {
    const result = await runAnalysis(args);
    if (!result.ok) {
      stderrLine(result.error);
      if (result.hint) stderrLine(result.hint);
      return 2;
    }
    for (const line of result.problems) stderrLine(line);
    const report = result.report;
    const text =
      args.format === 'json'
        ? renderJson(report)
        : args.format === 'markdown'
          ? renderMarkdown(report)
          : renderText(report, { color: useColor(stdout), verbose: args.verbose, onlyProblems: args['only-problems'], width: outputWidth(stdout) });
    const out = openOutput(undefined);
    await out.write(text);
    await out.close();
    return exitCodeFor(report, 'error');
  },
};
