import { appendFile, stat } from 'node:fs/promises';
import { useColor } from '../report/color.js';
import { exitCodeFor, type FailLevel } from '../report/diagnosis-report.js';
import { oneLine } from '../report/escape.js';
import { openOutput } from '../report/output.js';
import { annotation, githubSummary, renderGithub } from '../report/render-github.js';
import { renderJson } from '../report/render-json.js';
import { renderJunit, renderJunitFailure } from '../report/render-junit.js';
import { renderSarif, renderSarifFailure } from '../report/render-sarif.js';
import { renderText } from '../report/render-text.js';
import { stderrLine, type CommandModule } from './command.js';
import { runAnalysis } from './run-analysis.js';

type CheckFormat = 'json' | 'junit' | 'sarif' | 'github' | 'text';

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Machine formats still get a document when nothing could be analysed, so CI shows why (exit 2). */
function failureDocument(format: CheckFormat, message: string): string | null {
  switch (format) {
    case 'sarif':
      return renderSarifFailure(message);
    case 'junit':
      return renderJunitFailure(message);
    case 'github':
      return `${annotation('error', oneLine(message), { title: 'tblens could not analyse the runs' })}\n`;
    default:
      return null;
  }
}

export const checkCommand: CommandModule = {
  command: 'check <paths..>',
  describe: 'Gate CI on training runs: exit 1 when a finding reaches --fail-on; JSON, JUnit, SARIF or GitHub annotations',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'log directories or event files' })
      .option('weights', { type: 'string', array: true, describe: 'directories (or files) holding the LoRA .safetensors to link; give them after the log paths' })
      .option('format', { choices: ['json', 'junit', 'sarif', 'github', 'text'] as const, describe: 'output format (default: github when GITHUB_ACTIONS=true, else text)' })
      .option('fail-on', { choices: ['error', 'warning'] as const, default: 'error' as const, describe: 'lowest severity that makes the check fail (exit 1)' })
      .option('config', { type: 'string', describe: 'threshold overrides (default: ./tblens.config.json when present)' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' }),
  async run(args) {
    const env = process.env;
    const format: CheckFormat = args.format ?? (env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
    const failOn: FailLevel = args.failOn ?? args['fail-on'] ?? 'error';
    const out = openOutput(args.o);
    const result = await runAnalysis(args);
    if (!result.ok) {
      stderrLine(result.error);
      const doc = failureDocument(format, result.error);
      if (doc) await out.write(doc);
      await out.close();
      return 2;
    }
    const report = result.report;
    switch (format) {
      case 'json':
        await out.write(renderJson(report));
        break;
      case 'junit':
        await out.write(renderJunit(report, { failOn }));
        break;
      case 'sarif':
        await out.write(renderSarif(report));
        break;
      case 'text':
        await out.write(renderText(report, { color: !args.o && useColor(process.stdout) }));
        break;
      case 'github': {
        const summaryFile = env.GITHUB_STEP_SUMMARY;
        await out.write(renderGithub(report, { workspace: env.GITHUB_WORKSPACE, summary: Boolean(summaryFile) }).log);
        if (summaryFile) {
          const summary = githubSummary(report, await fileSize(summaryFile));
          try {
            if (summary) await appendFile(summaryFile, summary.endsWith('\n') ? summary : `${summary}\n`);
          } catch (e) {
            stderrLine(`$GITHUB_STEP_SUMMARY ${summaryFile}: could not append the summary (${(e as Error).message})`);
          }
        }
        break;
      }
    }
    await out.close();
    return exitCodeFor(report, failOn);
  },
};
