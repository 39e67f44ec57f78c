import { problemLines } from '../runs/damage-lines.js';
import { loadLogdirs } from '../runs/load-logdir.js';
import { namedRuns } from '../runs/run-names.js';
import { displayPath } from '../analyze/diagnosis-report.js';
import { writeExport, type ExportFormat, type ExportRun } from '../report/export.js';
import { openOutput } from '../report/output.js';
import { discoverRuns } from '../runs/discover.js';
import { cappedList, loraInsteadOfLogsHint } from './hints.js';
import { parseRegex, refuseOutputOverInput, stderrLine, type CommandModule } from './command.js';

export const exportCommand: CommandModule = {
  command: 'export <paths..>',
  describe: 'Write the scalar series of event files / log directories as CSV, JSON or JSON lines',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'log directories or event files' })
      .option('format', { choices: ['csv', 'json', 'jsonl'] as const, default: 'csv' as const, describe: 'output format' })
      .option('raw', { type: 'boolean', default: false, describe: 'every record in file order (no TensorBoard preemption of re-logged steps)' })
      .option('tags', { type: 'string', describe: 'only tags matching this regular expression' })
      .option('runs', { type: 'string', describe: 'only runs matching this regular expression' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 if any file is damaged' })
      .option('o', { alias: 'output', type: 'string', describe: 'output file (default: stdout)' }),
  async run(args) {
    const tagFilter = parseRegex('tags', args.tags);
    const runFilter = parseRegex('runs', args.runs);
    for (const f of [tagFilter, runFilter]) {
      if (f && !(f instanceof RegExp)) {
        stderrLine(f.error);
        return 2;
      }
    }
    const loaded = await loadLogdirs(args.paths, {
      view: args.raw ? 'raw' : 'data-server',
      tagFilter: tagFilter as RegExp | undefined,
      runFilter: runFilter as RegExp | undefined,
    });
    if (!loaded.ok) {
      stderrLine(loaded.error);
      const hint = await loraInsteadOfLogsHint(args.paths);
      if (hint) stderrLine(hint);
      return 2;
    }
    if (runFilter instanceof RegExp && loaded.roots.every((r) => r.runs.length === 0)) {
      // What --runs could have matched: the run names as discovered (the same names the filter is tested on). The
      // output is still written (a header, an empty list), as a filter matching nothing always gave.
      const names = (await Promise.all((args.paths as string[]).map((p) => discoverRuns(p)))).flatMap((d) => (d.ok ? d.runs.map((r) => r.name) : []));
      stderrLine(`--runs ${args.runs}: matches no run; the runs: ${cappedList(names) || 'none'}`);
    }
    const problems = problemLines(loaded.roots);
    for (const line of problems) stderrLine(line);
    // The same names as diagnose/check/compare give these runs, so the outputs can be joined.
    const runs: ExportRun[] = namedRuns(loaded.roots).map(({ run }) => ({ name: run.name, path: displayPath(run.dir), run }));
    if (await refuseOutputOverInput(args.o, [...args.paths, ...runs.flatMap((r) => r.run.files.map((f) => f.path))])) return 2;
    const out = openOutput(args.o);
    await writeExport(runs, args.format as ExportFormat, out);
    await out.close();
    return args.strict && problems.length > 0 ? 1 : 0;
  },
};
