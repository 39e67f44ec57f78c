import { useColor } from '../report/color.js';
import { exitCodeFor } from '../report/diagnosis-report.js';
import { renderJson } from '../report/render-json.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { openOutput } from '../report/output.js';
import { renderText } from '../report/render-text.js';
import { stderrLine, type CommandModule } from './command.js';
import { runAnalysis } from './run-analysis.js';

export const diagnoseCommand: CommandModule = {
  command: 'diagnose <paths..>',
  describe: 'Diagnose training runs: per run a verdict, the loss curve, who the run is, findings with advice',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'log directories or event files' })
      .option('weights', { type: 'string', array: true, describe: 'directories (or files) holding the LoRA .safetensors to link; give them after the log paths' })
      .option('format', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, describe: 'output format' })
      .option('config', { type: 'string', describe: 'threshold overrides (default: ./tblens.config.json when present)' }),
  async run(args) {
    const result = await runAnalysis(args);
    if (!result.ok) {
      stderrLine(result.error);
      return 2;
    }
    const report = result.report;
    const text =
      args.format === 'json' ? renderJson(report) : args.format === 'markdown' ? renderMarkdown(report) : renderText(report, { color: useColor(process.stdout) });
    const out = openOutput(undefined);
    await out.write(text);
    await out.close();
    return exitCodeFor(report, 'error');
  },
};
