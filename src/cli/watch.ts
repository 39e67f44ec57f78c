import { stat } from 'node:fs/promises';
import { useColor } from '../report/color.js';
import { stdout, stdoutColumns, writeStdout } from '../report/terminal.js';
import { stderrLine, type CommandModule } from './command.js';
import { loadConfigFile } from './config-file.js';
import { DEFAULT_EXEC_CONCURRENCY } from './watch-exec.js';
import { watch, type ExitOn } from './watch-loop.js';

export { watch, type WatchContext, type WatchOptions, type WatchOutput, type WatchResult } from './watch-loop.js';

/** `2s`, `500ms`, `1.5m`, `1h`, or a bare number of seconds → milliseconds; null when unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
  if (!m) return null;
  const x = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = unit === 'ms' ? x : unit === 's' ? x * 1000 : unit === 'h' ? x * 3_600_000 : x * 60_000;
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

export const watchCommand: CommandModule = {
  command: 'watch <logdir>',
  describe: 'Follow a log directory while training writes it: status per run, alerts on NaN/divergence/bad checkpoints, optional command per alert',
  builder: (y) =>
    y
      .positional('logdir', { type: 'string', describe: 'log directory (it may not exist yet), one event file, or an ai-toolkit loss_log.db' })
      .option('interval', { type: 'string', default: '2s', describe: 'polling period (e.g. 500ms, 2s, 1m)' })
      .option('exec', { type: 'string', describe: 'shell command run once per alert; the finding arrives as JSON on stdin and in TBLENS_* variables' })
      .option('exec-concurrency', {
        type: 'number',
        default: DEFAULT_EXEC_CONCURRENCY,
        describe: 'at most this many --exec commands at once; later alerts queue theirs',
      })
      .option('exit-on', {
        choices: ['error', 'warning', 'never'] as const,
        default: 'never' as const,
        describe: 'exit with code 1 at the first alert of this severity or worse',
      })
      .option('weights', { type: 'string', array: true, describe: "directories to search for the runs' .safetensors files (besides the log directory)" })
      .option('quiet-after', {
        type: 'string',
        default: '60s',
        describe: 'a run silent this long with a finished marker (final LoRA saved, last step reached) is summarised',
      })
      .option('config', { type: 'string', describe: 'thresholds file (default: ./tblens.config.json when present)' }),
  async run(args) {
    const intervalMs = parseDuration(args.interval);
    if (intervalMs === null) {
      stderrLine(`--interval: not a duration: ${JSON.stringify(args.interval)} (try 2s or 500ms)`);
      return 2;
    }
    const quietMs = parseDuration(args['quiet-after']);
    if (quietMs === null) {
      stderrLine(`--quiet-after: not a duration: ${JSON.stringify(args['quiet-after'])}`);
      return 2;
    }
    for (const dir of (args.weights as string[] | undefined) ?? []) {
      try {
        await stat(dir);
      } catch {
        stderrLine(`--weights ${dir}: no such file or directory`);
        return 2;
      }
    }
    const execConcurrency = Number(args['exec-concurrency']);
    if (!Number.isInteger(execConcurrency) || execConcurrency < 1) {
      stderrLine(`--exec-concurrency ${args['exec-concurrency']}: expected a whole number of at least 1`);
      return 2;
    }
    const config = await loadConfigFile(args.config);
    if (!config.ok) {
      stderrLine(config.error);
      return 2;
    }
    const controller = new AbortController();
    // Ctrl-C (or a service manager's SIGTERM) ends the watch normally: exit 0, with a summary.
    // A second Ctrl-C is left to Node's default, for a watch stuck waiting on an --exec command.
    const onSigint = () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const result = await watch(
        {
          logdir: args.logdir,
          intervalMs,
          quietMs,
          exec: args.exec,
          execConcurrency,
          exitOn: args['exit-on'] as ExitOn,
          weights: args.weights,
          config: config.config,
          color: useColor(stdout),
        },
        { signal: controller.signal, output: { write: (t) => writeStdout(t), isTTY: stdout.isTTY === true, columns: stdoutColumns() } },
      );
      return result.exitCode;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    }
  },
};
