import { appendFile, stat } from 'node:fs/promises';
import { useColor } from '../report/color.js';
import { exitCodeFor, type FailLevel } from '../analyze/diagnosis-report.js';
import { openOutput } from '../report/output.js';
import { githubFailure, githubSummary, renderGithub } from '../report/diagnosis/render-github.js';
import { renderJson, renderJsonFailure } from '../report/diagnosis/render-json.js';
import { renderJunit, renderJunitFailure } from '../report/diagnosis/render-junit.js';
import { renderSarif, renderSarifFailure } from '../report/diagnosis/render-sarif.js';
import { renderText } from '../report/diagnosis/render-text.js';
import { sourceRoot } from '../report/diagnosis/source-root.js';
import { stdout } from '../report/terminal.js';
import { outputWidth } from '../report/wrap.js';
import { refuseOutputOverInput, stderrLine, type CommandModule } from './command.js';
import { analysisInputs, CONFIG_OPTION, runAnalysis } from './run-analysis.js';

type CheckFormat = 'json' | 'junit' | 'sarif' | 'github' | 'text';

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Every machine format still gets a document when nothing could be analysed, so CI shows why (exit 2). */
function failureDocument(format: CheckFormat, message: string): string | null {
  switch (format) {
    case 'json':
      return renderJsonFailure(message);
    case 'sarif':
      return renderSarifFailure(message);
    case 'junit':
      return renderJunitFailure(message);
    case 'github':
      return githubFailure(message).log;
    default:
      return null;
  }
}

/** Appends to `$GITHUB_STEP_SUMMARY`; a summary that cannot be written is said on stderr, not fatal. */
async function appendSummary(summaryFile: string, summary: string): Promise<void> {
  try {
    if (summary) await appendFile(summaryFile, summary.endsWith('\n') ? summary : `${summary}\n`);
  } catch (e) {
    stderrLine(`$GITHUB_STEP_SUMMARY ${summaryFile}: could not append the summary (${(e as Error).message})`);
  }
}

export const checkCommand: CommandModule = {
  command: 'check <paths..>',
  describe: 'Gate CI on training runs: exit 1 when a finding reaches --fail-on; JSON, JUnit, SARIF or GitHub annotations',
  builder: (y) =>
    analysisInputs(y)
      .option('format', {
        choices: ['json', 'junit', 'sarif', 'github', 'text'] as const,
        describe: 'output format (default: github when GITHUB_ACTIONS=true, else text)',
      })
      .option('fail-on', { choices: ['error', 'warning'] as const, default: 'error' as const, describe: 'lowest severity that makes the check fail (exit 1)' })
      .option('config', CONFIG_OPTION)
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' })
      .option('verbose', {
        type: 'boolean',
        default: false,
        describe: 'text format: under each finding its evidence and file (the machine formats always have them)',
      })
      .option('only-problems', {
        type: 'boolean',
        default: false,
        describe: 'text format: list only runs that failed or have warnings (the summary line still counts every run)',
      }),
  async run(args) {
    const env = process.env;
    const format: CheckFormat = args.format ?? (env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
    const failOn: FailLevel = args.failOn ?? args['fail-on'] ?? 'error';
    if (await refuseOutputOverInput(args.o, args.paths)) return 2;
    const result = await runAnalysis(args);
    if (result.ok && (await refuseOutputOverInput(args.o, result.inputs))) return 2;
    const out = openOutput(args.o);
    if (!result.ok) {
      stderrLine(result.error);
      if (result.hint) stderrLine(result.hint);
      const doc = failureDocument(format, result.error);
      if (doc) await out.write(doc);
      await out.close();
      if (format === 'github' && env.GITHUB_STEP_SUMMARY) await appendSummary(env.GITHUB_STEP_SUMMARY, githubFailure(result.error).summary);
      return 2;
    }
    for (const line of result.problems) stderrLine(line);
    const report = result.report;
    switch (format) {
      case 'json':
        await out.write(renderJson(report));
        break;
      case 'junit':
        await out.write(renderJunit(report, { failOn }));
        break;
      case 'sarif': {
        const srcRoot = sourceRoot(env);
        const sarif = renderSarif(report, { srcRoot });
        await out.write(sarif.text);
        const n = sarif.outside.length;
        if (n > 0)
          stderrLine(
            `warning: ${n === 1 ? sarif.outside[0] : `${n} files (first: ${sarif.outside[0]})`} outside %SRCROOT% ${srcRoot}: written as absolute file: URIs, which code scanning cannot link (set GITHUB_WORKSPACE or run inside the repository)`,
          );
        break;
      }
      case 'text':
        // A file gets COLUMNS or 100, never the width of the terminal it was not written to.
        await out.write(
          renderText(report, {
            color: !args.o && useColor(stdout),
            verbose: args.verbose,
            onlyProblems: args['only-problems'],
            width: outputWidth(args.o && args.o !== '-' ? {} : stdout),
          }),
        );
        break;
      case 'github': {
        const summaryFile = env.GITHUB_STEP_SUMMARY;
        await out.write(renderGithub(report, { workspace: env.GITHUB_WORKSPACE, summary: Boolean(summaryFile) }).log);
        if (summaryFile) await appendSummary(summaryFile, githubSummary(report, await fileSize(summaryFile)));
        break;
      }
    }
    await out.close();
    return exitCodeFor(report, failOn);
  },
};
