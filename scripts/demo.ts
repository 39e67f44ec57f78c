// `npm run demo`: the main jobs of tblens on the bundled fixtures, through the real CLI entry point.
// Writes its pages to demo-out/ (not checked in); the checked-in examples live in reports/.
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const STEPS: { title: string; argv: string[] }[] = [
  {
    title: 'Diagnose every fixture run (healthy sweep, explosion, late NaN, flat runs, Inf weights, damaged and resumed logs)',
    argv: ['diagnose', 'fixtures/kohya'],
  },
  {
    title: 'Compare the four-optimizer sweep (Lion at 4× batch) as one offline HTML page, opened on the samples-seen axis',
    argv: ['compare', 'fixtures/kohya/sweep', '--x', 'samples', '-o', join('demo-out', 'four-optimizers.html')],
  },
  {
    title: 'Inspect a LoRA whose loss looked fine but whose weights hold ±Inf',
    argv: ['inspect', 'fixtures/kohya/inf-weights-fine-loss/glypha-inf-weights-fine-loss.safetensors'],
  },
  {
    title: 'CI gate: the same analysis as JUnit, and the exit code a pipeline would see',
    argv: ['check', 'fixtures/kohya/sweep', 'fixtures/kohya/explode', '--format', 'junit', '-o', join('demo-out', 'tblens-junit.xml')],
  },
];

async function run(): Promise<void> {
  process.chdir(REPO);
  await mkdir('demo-out', { recursive: true });
  for (const step of STEPS) {
    process.stdout.write(`\n\u2500\u2500 ${step.title}\n$ tblens ${step.argv.join(' ')}\n\n`);
    const code = await main(step.argv);
    process.stdout.write(`\n(exit code ${code})\n`);
  }
  process.stdout.write(`\nOpen demo-out/four-optimizers.html in a browser (it works offline). Example reports: reports/.\n`);
}

run().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
