import type { FailLevel } from '../analyze/diagnosis-report.js';
import { lintConfig, type LintReport } from '../lint/lint.js';
import { renderLintGithub, renderLintJson, renderLintSarif, renderLintText } from '../report/lint/lint-render.js';
import { openOutput } from '../report/output.js';
import { stderrLine, type CommandModule } from './command.js';
import { loadConfigFile } from './config-file.js';

type LintFormat = 'text' | 'json' | 'sarif' | 'github';

/** Exit code as `check`: 2 when a config could not be read or parsed, 1 when a finding reaches --fail-on, else 0. */
export function lintExitCode(report: LintReport, failOn: FailLevel): 0 | 1 | 2 {
  if (report.problems.length > 0) return 2;
  const c = report.counts;
  return c.error > 0 || (failOn === 'warning' && c.warning > 0) ? 1 : 0;
}

export const lintCommand: CommandModule = {
  command: 'lint <paths..>',
  describe: 'Check training configs before the GPU hours are spent: sd-scripts/kohya_ss GUI configs, dataset configs, ss_* metadata, hparams',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'config files or directories (recognised by content)' })
      .option('format', {
        choices: ['text', 'json', 'sarif', 'github'] as const,
        describe: 'output format (default: github when GITHUB_ACTIONS=true, else text)',
      })
      .option('fail-on', { choices: ['error', 'warning'] as const, default: 'error' as const, describe: 'lowest severity that makes lint fail (exit 1)' })
      .option('config', { type: 'string', describe: 'thresholds (its "lint" section; default: ./tblens.config.json when present)' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' }),
  async run(args) {
    const env = process.env;
    const format: LintFormat = args.format ?? (env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
    const failOn: FailLevel = args.failOn ?? args['fail-on'] ?? 'error';
    const loaded = await loadConfigFile(args.config);
    if (!loaded.ok) {
      stderrLine(loaded.error);
      return 2;
    }
    const report = await lintConfig(args.paths as string[], { config: loaded.config });
    // Text on stdout already lists the problems first; every other output also gets them on stderr.
    if (format !== 'text' || args.o)
      for (const p of report.problems) stderrLine(`${p.file}${p.line !== null ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}`);
    const out = openOutput(args.o);
    const render = {
      text: renderLintText,
      json: renderLintJson,
      sarif: renderLintSarif,
      github: (r: LintReport) => renderLintGithub(r, { workspace: env.GITHUB_WORKSPACE }),
    }[format];
    await out.write(render(report));
    await out.close();
    return lintExitCode(report, failOn);
  },
};
