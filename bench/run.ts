// `npm run bench`: runs every compiled dist/bench/*.bench.js, each in its own child process (so
// one bench's memory and JIT state cannot colour another's), echoes what it prints, and ends with
// a summary of each bench's outcome and every target line (PASS/MISS) it printed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  targets: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

function runOne(file: string): Promise<Outcome> {
  const name = basename(file).replace(/\.bench\.js$/, '');
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--one', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const targets: string[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (/\b(PASS|MISS)\b/.test(line)) targets.push(line.trim());
    });
    const done = (ok: boolean) => resolve({ name, ok, seconds: (performance.now() - started) / 1000, targets });
    child.on('error', () => done(false));
    child.on('close', (code) => done(code === 0));
  });
}

async function runAll(): Promise<number> {
  const files = readdirSync(HERE)
    .filter((f) => f.endsWith('.bench.js'))
    .sort()
    .map((f) => join(HERE, f));
  if (files.length === 0) {
    console.log('bench: no dist/bench/*.bench.js found (run `npm run build` first)');
    return 1;
  }
  const outcomes: Outcome[] = [];
  for (const file of files) {
    console.log(`\n== ${basename(file)} ==`);
    outcomes.push(await runOne(file));
  }
  console.log('\n== summary ==');
  for (const o of outcomes) {
    console.log(`${o.ok ? 'ok    ' : 'FAILED'} ${o.name} (${o.seconds.toFixed(1)} s)`);
    for (const t of o.targets) console.log(`         ${t}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  const missed = outcomes.reduce((n, o) => n + o.targets.filter((t) => /\bMISS\b/.test(t)).length, 0);
  const met = outcomes.reduce((n, o) => n + o.targets.filter((t) => /\bPASS\b/.test(t)).length, 0);
  console.log(`benches: ${outcomes.length - failed} ran, ${failed} failed; targets: ${met} met, ${missed} missed`);
  return failed > 0 ? 1 : 0;
}

/** Child mode: import one bench module and run its default export. */
async function runModule(file: string): Promise<number> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: () => Promise<void> };
  if (typeof mod.default !== 'function') {
    console.error(`bench: ${basename(file)} has no default export function`);
    return 1;
  }
  await mod.default();
  return 0;
}

const args = process.argv.slice(2);
const code = args[0] === '--one' ? await runModule(args[1]) : await runAll();
process.exitCode = code;
