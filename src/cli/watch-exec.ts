import { spawn } from 'node:child_process';

export interface ExecResult {
  /** Exit code, or null when killed by a signal or it could not start. */
  code: number | null;
  error?: string;
}

/**
 * Runs the user's `--exec` command through the system shell (`cmd.exe` on Windows, `/bin/sh`
 * elsewhere: the command line is theirs, so it must mean what it means in their shell), with the
 * finding as JSON on stdin and TBLENS_* variables in the environment. Its output lines go to
 * `line`. Resolves when it exits; never rejects.
 */
export function runExec(command: string, stdin: string, env: Record<string, string>, line: (text: string) => void): Promise<ExecResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, { shell: true, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      resolve({ code: null, error: (error as Error).message });
      return;
    }
    const forward = (stream: NodeJS.ReadableStream) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? '';
        for (const l of lines) line(l);
      });
      stream.on('end', () => {
        if (pending) line(pending);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    let failed: string | undefined;
    child.on('error', (error) => (failed = error.message));
    // A command that does not read stdin closes it early: that is its right, not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.on('close', (code) => resolve(failed ? { code: null, error: failed } : { code }));
  });
}

export const DEFAULT_EXEC_CONCURRENCY = 4;

/**
 * At most `limit` `--exec` commands at once (300 runs alerting together must not fork 600 shells);
 * the rest wait in order. `onQueueing(waiting)` is told when a command first has to wait after the
 * queue was empty, so the log says so once per burst instead of once per command.
 */
export function execQueue(limit: number, onQueueing: (running: number) => void): typeof runExec {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) next();
  };
  return async (command, stdin, env, line) => {
    if (running >= limit) {
      if (waiting.length === 0) onQueueing(running);
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await runExec(command, stdin, env, line);
    } finally {
      release();
    }
  };
}
